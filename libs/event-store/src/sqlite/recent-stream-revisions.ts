/**
 * The latest revision of the streams a store saw appended to most recently, at most `max` of
 * them (the one seen longest ago is forgotten first). The SQLite store keeps it complete up
 * to the position it knows every event to: its own appends, and those of other processes read
 * in each write transaction. A write's plan then asks the log only for the streams not here:
 * people write again, and a customer's stream is nearly always one appended to moments ago.
 */
export class RecentStreamRevisions {
  private readonly revisions = new Map<string, number>();

  constructor(private readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`at least 1 stream is remembered, not ${max}`);
  }

  get size(): number {
    return this.revisions.size;
  }

  /** The stream's latest revision, if remembered. */
  get(streamId: string): number | undefined {
    return this.revisions.get(streamId);
  }

  /** An event appended to the stream, in log order: its revision is the stream's latest. */
  saw(streamId: string, revision: number): void {
    // Deleted first, so that the Map's order is the order streams were last seen in.
    this.revisions.delete(streamId);
    this.revisions.set(streamId, revision);
    if (this.revisions.size > this.max)
      this.revisions.delete(this.revisions.keys().next().value as string);
  }

  clear(): void {
    this.revisions.clear();
  }
}
