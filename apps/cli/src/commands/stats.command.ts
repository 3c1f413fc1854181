import { loadConfig } from '@rapport/api';
import {
  openReadModels,
  type ProjectionLag,
  projectionLags,
  type ReadModels,
  UnknownReadModelStoreError,
} from '@rapport/read-models';
import { type Command } from 'commander';
import { collectLogStats } from '../stats/log-stats';
import { addStoreOption, openStoreOption } from '../support/event-store-option';
import { Progress } from '../support/progress';
import { StopSignal } from '../support/stop-signal';
import { UsageError } from '../support/usage-error';

interface StatsOptions {
  store?: string;
  readModels?: string;
  json?: boolean;
  progress: boolean;
}

function table(title: string, counts: Record<string, number>, total: number): string[] {
  const width = Math.max(...Object.keys(counts).map((k) => k.length), 8);
  return [
    title,
    ...Object.entries(counts).map(
      ([key, n]) =>
        `  ${key.padEnd(width)}  ${String(n).padStart(10)}  ${((100 * n) / Math.max(total, 1)).toFixed(1).padStart(5)} %`,
    ),
  ];
}

export function registerStatsCommand(program: Command): void {
  const command = program
    .command('stats')
    .description(
      "the log in numbers: head, events by type and channel, streams, and each projection's position and lag",
    );
  addStoreOption(command);
  command
    .option(
      '--read-models <url>',
      'where the projections keep their checkpoints (default: RAPPORT_READ_MODELS): redis://host:6379/0?prefix=rapport:',
    )
    .option('--json', 'one JSON document on stdout instead of tables')
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText(
      'after',
      `
Counts come from one pass over the whole log (types as read: newest schema versions).
Projection positions are the checkpoints the read models keep beside their data (in Redis,
<prefix>checkpoint:<projection> in each one's live version, <prefix>v<n>: after a rebuild); lag = log events not applied yet, and the commit-time
distance between the first of them and the head. In-memory read models live inside a
running process: ask it, GET /health.`,
    )
    .action(async (options: StatsOptions) => {
      const url = options.readModels ?? process.env.RAPPORT_READ_MODELS;
      let readModels: ReadModels;
      try {
        readModels = openReadModels(url ?? '', () => loadConfig(process.env));
      } catch (error) {
        if (!(error instanceof UnknownReadModelStoreError)) throw error;
        throw new UsageError(`--read-models ${url}: use redis://host:6379/0[?prefix=…] or memory`);
      }
      const store = await openStoreOption(options);
      const stop = new StopSignal();
      const bar = options.progress ? new Progress('counting') : null;
      try {
        const stats = await collectLogStats(store, {
          shouldStop: () => stop.stopRequested,
          onProgress: (read, head) => (read === 0 ? bar?.start(head) : bar?.update(read)),
        });
        bar?.stop();
        let projections: ProjectionLag[] | null = null;
        if (!readModels.inProcess)
          projections = await projectionLags(store, await readModels.checkpoints(), stats.head);
        if (options.json) {
          console.log(JSON.stringify({ ...stats, projections }, null, 2));
        } else {
          const lines = [
            `log head:   ${stats.head}${stats.complete ? '' : ` (counted up to where Ctrl-C stopped)`}`,
            `events:     ${stats.events} in ${stats.streams} streams`,
            `committed:  ${stats.firstRecordedAt ?? '–'} … ${stats.lastRecordedAt ?? '–'}`,
            '',
            ...table('by type', stats.byType, stats.events),
            '',
            ...table('by channel (data.channel)', stats.byChannel, stats.events),
            '',
          ];
          if (projections === null)
            lines.push(
              'projections: no Redis read models named (--read-models or RAPPORT_READ_MODELS); in-memory ones: GET /health of the running process',
            );
          else if (projections.length === 0) lines.push(`projections: no checkpoints in ${url}`);
          else {
            lines.push('projections');
            for (const p of projections)
              lines.push(
                `  ${p.name.padEnd(20)} position ${String(p.position).padStart(10)}   lag ${String(p.lagEvents).padStart(8)} events, ${p.lagSeconds.toFixed(1)} s`,
              );
          }
          console.log(lines.join('\n'));
        }
        if (!stats.complete) process.exitCode = 130;
      } finally {
        bar?.stop();
        stop.dispose();
        await store.close();
        await readModels.close();
      }
    });
}
