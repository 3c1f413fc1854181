import { type EventStore } from '@rapport/event-store';

/**
 * How far a graph history has read the identity-graph stream, in log positions, and the one
 * read on at a time that callers share. `readOn` folds what was appended since its last
 * read; every decision at a position up to the head read before it is then covered.
 */
export class FollowedDecisions {
  private covered = 0;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly readOn: () => Promise<void>,
  ) {}

  /** Every decision at a position up to this one is folded. */
  get coveredUpTo(): number {
    return this.covered;
  }

  /** Reads on once `position` is past what is covered; a RangeError for one past the log's head. */
  async cover(position: number): Promise<void> {
    // A read already under way may have started before the caller saw its head: a second
    // one starts after, so it reads a head at least as far.
    for (let reads = 0; position > this.covered; reads++) {
      if (reads === 2)
        throw new RangeError(`position ${position} is past the log's head ${this.covered}`);
      await this.refresh();
    }
  }

  /** Reads the decisions appended since the last read (one read at a time, shared by callers). */
  refresh(): Promise<void> {
    this.reading ??= this.readOnFromHead().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async readOnFromHead(): Promise<void> {
    // Read the head first: every decision at a position up to it is in the stream by now.
    const head = await this.store.headPosition();
    await this.readOn();
    this.covered = Math.max(this.covered, head);
  }
}
