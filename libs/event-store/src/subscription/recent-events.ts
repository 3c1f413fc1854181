import { type RecordedEvent } from '../event-store';

/** A subscription reading through `RecentEvents`: where it reads from, until it is closed. */
export interface RecentEventsFollower {
  /** It reads no more: nobody waits for it. */
  close(): void;
}

class Follower implements RecentEventsFollower {
  /** The last position it was handed (or asked to read after): it needs the events after it. */
  after = 0;
  /** When `after` last moved (ms): a follower that stops moving holds nobody back. */
  movedAt = Date.now();
  constructor(private readonly leave: (follower: Follower) => void) {}
  close(): void {
    this.leave(this);
  }
}

/**
 * The most recently read stretch of the log, by position, for every reader of one store in
 * one process. A projector runs several projections, each following the log with its own
 * subscription; they read the same events within moments of each other, and without this
 * each of them would query and parse every event again. Positions must be counters (gap-free),
 * as they are in the SQLite and PostgreSQL stores; logged events never change, so a
 * remembered one is as good as a fresh read. Readers get the same objects: hands off.
 *
 * Subscriptions follow the log at different speeds (a projection that writes Redis lags one
 * that only looks for an event type). A follower far ahead would overwrite the events a slower
 * one has yet to read, which then reads and parses them again, so a follower that would
 * overwrite another's next event waits for it while it keeps moving. One that has not moved
 * for `stuckAfterMs` (a handler waiting on something else) is not waited for: it falls out of
 * the window and reads the log itself, costing the others that wait once.
 */
export class RecentEvents {
  private readonly slots: (RecordedEvent | undefined)[];
  private readonly followers = new Set<Follower>();
  /** The highest position remembered. */
  private newest = 0;
  /** Called when a follower moves or leaves. */
  private waiters: (() => void)[] = [];
  /** The read from the log in flight, if any: positions `from` + 1 to `to`. */
  private reading: { from: number; to: number; done: Promise<void> } | null = null;

  constructor(
    private readonly capacity = 16_384,
    private readonly stuckAfterMs = 2_000,
  ) {
    this.slots = new Array<RecordedEvent | undefined>(capacity);
  }

  /** A subscription's handle: its reads are paced so that it does not overrun the others. */
  follow(): RecentEventsFollower {
    const follower = new Follower((leaving) => {
      this.followers.delete(leaving);
      this.wake();
    });
    this.followers.add(follower);
    return follower;
  }

  /**
   * `readAll` through the remembered events: those right after `after` come from here, the
   * rest (from the first one not here) from `read`, and are remembered in turn — unless
   * `remember` is false: with one reader (a rebuild catching up alone) keeping the last
   * 16,384 events alive only makes the garbage collector copy them. A `follower` (from
   * `follow`) that would overwrite what another has yet to read waits for it first.
   */
  async readAll(
    after: number,
    maxCount: number,
    read: (after: number, maxCount: number) => Promise<RecordedEvent[]>,
    remember = true,
    follower?: RecentEventsFollower,
  ): Promise<RecordedEvent[]> {
    const reader = follower instanceof Follower && this.followers.has(follower) ? follower : null;
    if (reader) this.moved(reader, after);
    const events = await this.readThrough(after, maxCount, read, remember, reader);
    // What it was handed is in its hands: it needs what comes after.
    if (reader && events.length > 0) this.moved(reader, events[events.length - 1].position);
    return events;
  }

  private async readThrough(
    after: number,
    maxCount: number,
    read: (after: number, maxCount: number) => Promise<RecordedEvent[]>,
    remember: boolean,
    reader: Follower | null,
  ): Promise<RecordedEvent[]> {
    for (;;) {
      const remembered = this.take(after, maxCount);
      if (remembered.length === maxCount) return remembered;
      const from = remembered.length > 0 ? remembered[remembered.length - 1].position : after;
      if (remember) {
        // Subscriptions woken by the same append all look for the same new events: one reads
        // them, the others wait for that read and find them here.
        const reading = this.reading;
        if (reading && reading.from <= from && from < reading.to) {
          await reading.done;
          continue;
        }
        if (reader && this.wouldOverrun(reader, after + maxCount)) {
          await this.nextMove();
          continue;
        }
      }
      const count = maxCount - remembered.length;
      const rest = read(from, count);
      if (!remember) return remembered.concat(await rest);
      const reading = {
        from,
        to: from + count,
        done: rest.then(
          () => undefined,
          () => undefined,
        ),
      };
      this.reading = reading;
      try {
        const events = await rest;
        for (const event of events) this.remember(event);
        return remembered.length > 0 ? remembered.concat(events) : events;
      } finally {
        if (this.reading === reading) this.reading = null;
      }
    }
  }

  private remember(event: RecordedEvent): void {
    const slot = event.position % this.capacity;
    const held = this.slots[slot];
    // A late reader's events do not push out newer ones that others are about to read.
    if (held !== undefined && held.position > event.position) return;
    this.slots[slot] = event;
    if (event.position > this.newest) this.newest = event.position;
  }

  private moved(follower: Follower, after: number): void {
    if (after === follower.after) return;
    follower.after = after;
    follower.movedAt = Date.now();
    this.wake();
  }

  /** Resolves when a follower moves or leaves, or after a while (one may have stuck since). */
  private nextMove(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(100, this.stuckAfterMs));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Whether remembering up to `end` would overwrite the next event of another follower that
   * is still moving (one that has not moved for `stuckAfterMs` is not waited for).
   */
  private wouldOverrun(reader: Follower, end: number): boolean {
    const now = Date.now();
    for (const other of this.followers) {
      if (other === reader || now - other.movedAt >= this.stuckAfterMs) continue;
      const next = other.after + 1;
      // Already overrun (its next event is gone): nothing left to keep for it.
      if (next + this.capacity <= this.newest) continue;
      if (end >= next + this.capacity) return true;
    }
    return false;
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  private take(after: number, maxCount: number): RecordedEvent[] {
    const events: RecordedEvent[] = [];
    for (let position = after + 1; events.length < maxCount; position += 1) {
      const event = this.slots[position % this.capacity];
      if (event === undefined || event.position !== position) break;
      events.push(event);
    }
    return events;
  }
}
