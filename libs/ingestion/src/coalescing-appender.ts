import { type AppendOutcome, type AppendRequest, type EventStore } from '@rapport/event-store';

/**
 * Group commit: appends requested in the same turn of the event loop (for example by
 * several Kafka partitions consumed concurrently) go to the store as one `appendMany`,
 * so they share one transaction and one fsync. Each caller gets its own outcomes.
 */
export class CoalescingAppender {
  private pending: {
    requests: readonly AppendRequest[];
    resolve: (o: AppendOutcome[]) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private scheduled = false;

  constructor(private readonly store: EventStore) {}

  append(requests: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ requests, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    try {
      const outcomes = await this.store.appendMany(batch.flatMap((b) => b.requests));
      let offset = 0;
      for (const caller of batch) {
        caller.resolve(outcomes.slice(offset, offset + caller.requests.length));
        offset += caller.requests.length;
      }
    } catch (error) {
      for (const caller of batch) caller.reject(error);
    }
  }
}
