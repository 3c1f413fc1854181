import { type AppendOutcome, type AppendRequest, type EventStore } from '@rapport/event-store';

/**
 * Group commit (docs/decisions/0009-group-commit-in-ingestion.md): appends requested in the
 * same turn of the event loop go to the store as one `appendMany`, sharing one transaction
 * and one fsync. Each caller gets its own outcomes.
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
      const outcomes = await this.appendIsolated(batch.flatMap((b) => b.requests));
      let offset = 0;
      for (const caller of batch) {
        caller.resolve(outcomes.slice(offset, offset + caller.requests.length));
        offset += caller.requests.length;
      }
    } catch (error) {
      for (const caller of batch) caller.reject(error);
    }
  }

  /**
   * One `appendMany`; if it throws, each request again on its own, so that one request
   * the store cannot take (a bug, a value it chokes on) fails alone instead of failing
   * its neighbours forever. When every request fails alone too, the store itself is
   * failing: the first error is thrown, and nothing of the batch was acknowledged.
   */
  private async appendIsolated(requests: AppendRequest[]): Promise<AppendOutcome[]> {
    try {
      return await this.store.appendMany(requests);
    } catch (error) {
      if (requests.length === 1) throw error;
      const outcomes: AppendOutcome[] = [];
      for (const request of requests) {
        try {
          outcomes.push(...(await this.store.appendMany([request])));
        } catch (alone) {
          outcomes.push({
            ok: false,
            error: alone instanceof Error ? alone : new Error(String(alone)),
          });
        }
      }
      if (outcomes.every((o) => !o.ok)) throw error;
      return outcomes;
    }
  }
}
