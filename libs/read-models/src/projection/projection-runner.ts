import { type EventStore, type RecordedEvent, type Subscription } from '@rapport/event-store';
import { CheckpointMismatchError, type CheckpointRange } from './checkpoint';
import { type ProjectionBatchReport, projectionBatches } from './projection-diagnostics';

/** A read model fed from the log: where it is, and how it takes a batch. */
export interface ProjectionTarget {
  readonly name: string;
  /** The log position the model has applied up to (0 for an empty model). */
  checkpoint(): Promise<number>;
  /**
   * Applies a batch of events covering `range` and moves the checkpoint to `range.upTo`,
   * atomically; throws `CheckpointMismatchError` (writing nothing) when the model is not at
   * `range.after`.
   */
  applyBatch(events: readonly RecordedEvent[], range: CheckpointRange): Promise<void>;
  /**
   * How many batches may still be applying while the runner reads and prepares the next (a
   * catch-up then overlaps the log read with the model's writes). Above 0 only for a target
   * that applies batches in call order and whose checkpoint check refuses a batch after one
   * that failed. Absent or 0: each batch is applied before the next is read.
   */
  readonly maxInFlight?: number;
  /**
   * The events whose personal fields (texts, identities' plain values) the target reads;
   * absent: all. The log hands it the others without decrypting them
   * (`SubscribeOptions.personalDataOf`). A target that wraps another must pass this on.
   */
  readonly personalDataOf?: (event: RecordedEvent) => boolean;
  /**
   * The events the target acts on; absent: all. Work done per event outside the projection
   * itself (a tracing span) is skipped for the others. A target that wraps another passes it on.
   */
  readonly handles?: (event: RecordedEvent) => boolean;
}

export interface ProjectionStatus {
  readonly name: string;
  readonly position: number;
  readonly caughtUp: boolean;
  /** How many times the runner resumed from the model's own checkpoint (e.g. after the model was lost). */
  readonly resumes: number;
}

export interface ProjectionRunnerOptions {
  readonly batchSize?: number;
  /**
   * How often to compare the model's checkpoint with the runner's position while idle;
   * a model that came back empty (Redis without persistence) is then rebuilt from the log.
   * 0 turns the check off (the memory model cannot lose itself behind the runner's back).
   */
  readonly verifyIntervalMs?: number;
  readonly log?: (line: string) => void;
}

/**
 * Keeps one read model in step with the log: catches up from the model's checkpoint,
 * then follows live appends. Batches come in log order; each is applied before the next.
 * When the model is not where the runner thinks (a redelivered batch, a model that came
 * back empty), the runner resumes from the model's own checkpoint.
 */
export class ProjectionRunner {
  private subscription: Subscription | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private position = 0;
  /** Where the next batch continues from: `position`, or ahead of it by the batch in flight. */
  private submitted = 0;
  /** Batches sent but not yet known applied, oldest first (a target with `maxInFlight`). */
  private inFlight: Promise<void>[] = [];
  /** A batch in flight that failed after the subscription handed out its last batch. */
  private lateFailure: unknown = null;
  private caughtUp = false;
  private resumes = 0;
  private verifier: NodeJS.Timeout | null = null;
  private readonly waiters = new Set<{ position: number; resolve: () => void }>();
  private readonly caughtUpListeners = new Set<() => void>();

  constructor(
    private readonly store: EventStore,
    private readonly target: ProjectionTarget,
    private readonly options: ProjectionRunnerOptions = {},
  ) {}

  /** Starts following the log; resolves once the model has caught up with the head. */
  async start(): Promise<void> {
    if (this.loop) throw new Error(`projection ${this.target.name} is already running`);
    this.stopping = false;
    const caughtUp = new Promise<void>((resolve) => this.caughtUpListeners.add(resolve));
    this.loop = this.run();
    this.loop.catch(() => undefined);
    if (this.options.verifyIntervalMs) {
      this.verifier = setInterval(() => void this.verify(), this.options.verifyIntervalMs);
      this.verifier.unref();
    }
    await Promise.race([caughtUp, this.loop]);
  }

  /** Resolves when the model has applied the log up to `position` (read-your-writes). */
  waitFor(position: number, timeoutMs = 30000): Promise<void> {
    if (this.position >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(
            `projection ${this.target.name} did not reach position ${position} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Settles when the runner stops; rejects when the projection failed. */
  get finished(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  status(): ProjectionStatus {
    return {
      name: this.target.name,
      position: this.position,
      caughtUp: this.caughtUp,
      resumes: this.resumes,
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.verifier) clearInterval(this.verifier);
    await this.subscription?.stop();
    await this.loop?.catch(() => undefined);
    await this.settled();
    this.loop = null;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      await this.settled();
      this.lateFailure = null;
      this.position = await this.target.checkpoint();
      this.submitted = this.position;
      // Stopped while it read the checkpoint: stop() found no subscription to end, so none starts.
      if (this.stopping) break;
      this.subscription = this.store.subscribeToAll(
        {
          after: this.position,
          batchSize: this.options.batchSize ?? 500,
          ...(this.target.personalDataOf ? { personalDataOf: this.target.personalDataOf } : {}),
        },
        {
          onEvents: (events) => this.apply(events),
          onCaughtUp: (position) => {
            const report = () => {
              this.caughtUp = true;
              this.advance(position);
              for (const listener of this.caughtUpListeners) listener();
              this.caughtUpListeners.clear();
            };
            if (this.inFlight.length === 0) return report();
            // Caught up once the batches in flight are applied; if one fails, this subscription ends.
            const subscription = this.subscription;
            Promise.all(this.inFlight).then(report, (error: unknown) => {
              this.lateFailure = error;
              void subscription?.stop();
            });
          },
        },
      );
      try {
        await this.subscription.finished;
        if (this.lateFailure !== null) throw this.lateFailure;
      } catch (error) {
        if (!(error instanceof CheckpointMismatchError)) throw error;
        this.resumes += 1;
        this.caughtUp = false;
        this.options.log?.(`${error.message}; resuming from the read model's checkpoint`);
      }
    }
  }

  /**
   * One batch, continuing the one before. A target with `maxInFlight` gets it at once, and
   * the subscription is let go on to read the next as soon as no more than that many
   * batches are still applying.
   */
  private async apply(events: readonly RecordedEvent[]): Promise<void> {
    const upTo = events[events.length - 1].position;
    const range = { after: this.submitted, upTo };
    this.submitted = upTo;
    const started = performance.now();
    const applied = this.target.applyBatch(events, range).then(() => {
      if (projectionBatches.hasSubscribers) {
        projectionBatches.publish({
          projection: this.target.name,
          events: events.length,
          seconds: (performance.now() - started) / 1000,
          batch: events,
          ...(this.target.handles ? { handles: this.target.handles } : {}),
          startedAtMs: performance.timeOrigin + started,
        } satisfies ProjectionBatchReport);
      }
      this.advance(upTo);
    });
    const maxInFlight = this.target.maxInFlight ?? 0;
    if (maxInFlight <= 0) return applied;
    this.inFlight.push(applied);
    applied.catch(() => undefined); // awaited by a later batch, the caught-up report or stop()
    while (this.inFlight.length > maxInFlight) await this.inFlight.shift();
  }

  /** Waits until no batch is in flight, whatever came of them. */
  private async settled(): Promise<void> {
    await Promise.allSettled(this.inFlight);
    this.inFlight = [];
  }

  /** Restarts the subscription when the model's checkpoint is behind the runner (the model was lost). */
  private async verify(): Promise<void> {
    if (!this.subscription || this.stopping) return;
    const actual = await this.target.checkpoint().catch(() => null);
    if (actual !== null && actual < this.position) {
      this.options.log?.(
        `projection ${this.target.name}: the read model is at ${actual}, behind ${this.position}; rebuilding from there`,
      );
      this.resumes += 1;
      this.caughtUp = false;
      const sub = this.subscription;
      this.position = actual;
      // The loop re-reads the checkpoint and subscribes again once this one stops.
      await sub.stop();
    }
  }

  private advance(position: number): void {
    this.position = Math.max(this.position, position);
    for (const waiter of this.waiters) {
      if (waiter.position <= this.position) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
