import { type AuditEntry, type AuditQuery, type AuditTrail } from './audit-trail';

/**
 * An audit trail that writes in batches: entries recorded within `flushEveryMs` (or until
 * `maxBatch` of them) go to the underlying trail in one `recordAll`, one round trip instead of
 * one per request. `record` resolves once its batch is written.
 *
 * At least once: a batch whose write fails is kept and written again with the next one (up
 * to `maxPending` entries are held; past that the oldest are dropped and `onError` says so),
 * so an entry can be stored twice when a write failed after all. A graceful shutdown loses
 * nothing: `close` writes what is buffered, and from then on every entry is written at once.
 * A crash loses at most the last `flushEveryMs` of entries.
 */
export class BufferedAuditTrail implements AuditTrail {
  private buffer: { entry: AuditEntry; retentionMs: number }[] = [];
  /** Who waits for the buffered entries: one per batch (a failed batch's join the next). */
  private waiting: Deferred[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly trail: AuditTrail,
    private readonly options: {
      readonly flushEveryMs?: number;
      readonly maxBatch?: number;
      /** How long after a failed write it is tried again. */
      readonly retryAfterMs?: number;
      readonly maxPending?: number;
      readonly onError?: (error: unknown) => void;
    } = {},
  ) {}

  record(entry: AuditEntry, retentionMs: number): Promise<void> {
    return this.recordAll([entry], retentionMs);
  }

  recordAll(entries: readonly AuditEntry[], retentionMs: number): Promise<void> {
    if (this.closed) return this.trail.recordAll(entries, retentionMs);
    for (const entry of entries) this.buffer.push({ entry, retentionMs });
    if (this.waiting.length === 0) this.waiting.push(deferred());
    const { promise } = this.waiting[this.waiting.length - 1];
    if (this.buffer.length >= (this.options.maxBatch ?? 500)) void this.flush();
    else this.schedule(this.options.flushEveryMs ?? 5);
    return promise;
  }

  async query(query: AuditQuery, now: Date): Promise<AuditEntry[]> {
    await this.flush(); // read your own writes
    return this.trail.query(query, now);
  }

  /** Writes what is buffered; resolves when it is written (or has failed and is kept). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    const waiting = this.waiting;
    this.buffer = [];
    this.waiting = [];
    if (batch.length === 0) return this.writing;
    this.writing = this.writing.then(() => this.write(batch, waiting));
    return this.writing;
  }

  /** Writes what is buffered, then writes every later entry at once (for a graceful shutdown). */
  async close(): Promise<void> {
    await this.flush();
    // A batch that failed is back in the buffer: one more try before writing through.
    if (this.buffer.length > 0) await this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const error = new Error(
      `the audit trail was closed with ${this.buffer.length} entries unwritten`,
    );
    if (this.buffer.length > 0) this.options.onError?.(error);
    for (const done of this.waiting) done.reject(error);
    this.buffer = [];
    this.waiting = [];
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => void this.flush(), delayMs);
  }

  private async write(
    batch: { entry: AuditEntry; retentionMs: number }[],
    waiting: Deferred[],
  ): Promise<void> {
    // One retention for all is the common case (one per service); group anyway.
    const byRetention = new Map<number, AuditEntry[]>();
    for (const { entry, retentionMs } of batch) {
      const group = byRetention.get(retentionMs);
      if (group) group.push(entry);
      else byRetention.set(retentionMs, [entry]);
    }
    try {
      for (const [retentionMs, entries] of byRetention)
        await this.trail.recordAll(entries, retentionMs);
      for (const done of waiting) done.resolve();
    } catch (error) {
      // Kept for the next try, in front of what came since (a group written before the
      // failure is written again: at least once).
      this.options.onError?.(error);
      const kept = [...batch, ...this.buffer];
      const excess = Math.max(0, kept.length - (this.options.maxPending ?? 100_000));
      this.buffer = kept.slice(excess);
      this.waiting = [...waiting, ...this.waiting];
      this.schedule(this.options.retryAfterMs ?? 1000);
    }
  }
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // The recorder does not wait for its entry; a rejection nobody awaits must not crash.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
