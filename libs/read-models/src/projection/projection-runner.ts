import { type EventStore, type RecordedEvent, type Subscription } from '@rapport/event-store';

/** A read model fed from the log: where it is, and how it takes a batch. */
export interface ProjectionTarget {
  readonly name: string;
  /** The log position the model has applied up to (0 for an empty model). */
  checkpoint(): Promise<number>;
  /** Applies a batch of events and moves the checkpoint to the batch's last position, atomically. */
  applyBatch(events: readonly RecordedEvent[]): Promise<void>;
}

export interface ProjectionStatus {
  readonly name: string;
  readonly position: number;
  readonly caughtUp: boolean;
}

/**
 * Keeps one read model in step with the log: catches up from the model's checkpoint,
 * then follows live appends. Batches come in log order; each is applied before the next.
 */
export class ProjectionRunner {
  private subscription: Subscription | null = null;
  private position = 0;
  private caughtUp = false;
  private readonly waiters = new Set<{ position: number; resolve: () => void }>();

  constructor(
    private readonly store: EventStore,
    private readonly target: ProjectionTarget,
    private readonly batchSize = 500,
  ) {}

  /** Starts following the log; resolves once the model has caught up with the head. */
  async start(): Promise<void> {
    if (this.subscription) throw new Error(`projection ${this.target.name} is already running`);
    this.position = await this.target.checkpoint();
    const head = await this.store.headPosition();
    this.subscription = this.store.subscribeToAll(
      { after: this.position, batchSize: this.batchSize },
      {
        onEvents: async (events) => {
          await this.target.applyBatch(events);
          this.advance(events[events.length - 1].position);
        },
        onCaughtUp: (position) => {
          this.caughtUp = true;
          this.advance(position);
        },
      },
    );
    await Promise.race([this.waitFor(head), this.subscription.finished]);
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
    return this.subscription?.finished ?? Promise.resolve();
  }

  status(): ProjectionStatus {
    return { name: this.target.name, position: this.position, caughtUp: this.caughtUp };
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = null;
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
