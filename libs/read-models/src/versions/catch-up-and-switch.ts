import { type EventStore } from '@rapport/event-store';
import { type ProjectionRunner } from '../projection/projection-runner';
import { type RebuildOutcome, type RebuildProgress } from './rebuildable-projection';

const PROGRESS_INTERVAL_MS = 250;

/** One rebuild's progress (reported every 250 ms while it builds) and its outcome. */
export class RebuildReport {
  private readonly started = Date.now();
  private readonly ticker: NodeJS.Timeout;

  constructor(
    private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
    private readonly run: Pick<
      RebuildOutcome,
      'name' | 'version' | 'previousVersion' | 'resumedFrom'
    >,
    private readonly onProgress?: (progress: RebuildProgress) => void,
  ) {
    this.ticker = setInterval(
      () => void this.progress('building').catch(() => undefined),
      PROGRESS_INTERVAL_MS,
    );
  }

  async progress(phase: RebuildProgress['phase']): Promise<void> {
    if (!this.onProgress) return;
    this.onProgress({
      phase,
      version: this.run.version,
      position: this.runner.status().position,
      head: await this.store.headPosition(),
    });
  }

  outcome(status: RebuildOutcome['status']): RebuildOutcome {
    return {
      ...this.run,
      status,
      position: this.runner.status().position,
      ms: Date.now() - this.started,
    };
  }

  stop(): void {
    clearInterval(this.ticker);
  }
}

/**
 * Runs the new version's projection until it has caught up with the log, then — while it
 * keeps following the log — tries `trySwitch` until the switch is made (it refuses while the
 * new version is behind the live one, which the live projector moves on meanwhile).
 * `stopped` when the signal aborts first; the caller stops the runner either way.
 */
export async function catchUpAndSwitch(
  runner: ProjectionRunner,
  trySwitch: () => Promise<boolean>,
  report: RebuildReport,
  signal?: AbortSignal,
): Promise<'switched' | 'stopped'> {
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal?.aborted) resolve('aborted');
    signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  const caughtUp = runner.start().then(() => 'caught-up' as const);
  if ((await Promise.race([caughtUp, aborted])) === 'aborted') return 'stopped';
  for (;;) {
    await report.progress('switching');
    if (signal?.aborted) return 'stopped';
    if (await trySwitch()) return 'switched';
    await new Promise((r) => setTimeout(r, 20));
  }
}
