import { type EventStore, type RecordedEvent } from '@rapport/event-store';

/** A log position and when the log recorded the event there (null for position 0: nothing yet). */
export interface LogPoint {
  readonly position: number;
  readonly recordedAt: string | null;
}

/**
 * Whether the store's positions count its events, 1, 2, 3, … without gaps (SQLite,
 * PostgreSQL; the port's default), so that any number up to the head is an event's
 * position. EventStoreDB's are byte offsets in its transaction log (`positionsAreCounters:
 * false`): a read may only start at 0 or at a position the store returned.
 */
export function positionsAreCounters(store: EventStore): boolean {
  return store.positionsAreCounters !== false;
}

/**
 * When the log recorded the event at `position` (1 … head); null for 0, past the head, or
 * (positions that are not counters) a number that is no event's position. `index` keeps
 * what earlier look-ups of a store without counters learnt (see `LogTimeIndex`).
 */
export async function recordedAtOf(
  store: EventStore,
  position: number,
  index?: LogTimeIndex,
): Promise<string | null> {
  if (position < 1) return null;
  if (!positionsAreCounters(store))
    return (index ?? new LogTimeIndex(store)).recordedAtOf(position);
  const [event] = await store.readAll({ after: position - 1, maxCount: 1 });
  return event?.position === position ? event.recordedAt : null;
}

/**
 * The log as it was at `timeMs`: the last position the log had recorded (appended) at or
 * before that time, among positions up to `head`. Positions are given in commit order, so
 * recorded times rise with them; should a writer's clock step back, the answer is still a
 * position recorded at or before `timeMs` whose next event was recorded after it. Position
 * 0 (nothing) when the log was still empty then.
 *
 * Positions that count events (SQLite, PostgreSQL): a binary search over positions
 * 1 … `head` on each event's recorded time — at most ⌈log₂ head⌉ + 1 reads of one event
 * each (21 for a million events), never a scan. Other positions (EventStoreDB's byte
 * offsets, where most numbers are no event's and a read cannot start there): through a
 * `LogTimeIndex`, a scan the first time and one short read once `index` has seen that part
 * of the log (pass the same index to every call to keep what it learns).
 */
export async function positionAtTime(
  store: EventStore,
  timeMs: number,
  head: number,
  index?: LogTimeIndex,
): Promise<LogPoint> {
  if (head < 1) return { position: 0, recordedAt: null };
  if (!positionsAreCounters(store))
    return (index ?? new LogTimeIndex(store)).positionAtTime(timeMs, head);
  const recordedMs = async (position: number) => {
    const at = await recordedAtOf(store, position);
    if (at === null) throw new Error(`the log has no event at position ${position}`);
    return { at, ms: Date.parse(at) };
  };
  // The common case first: a time after the last append is the head.
  const last = await recordedMs(head);
  if (last.ms <= timeMs) return { position: head, recordedAt: last.at };
  let lo = 0; // recorded at or before timeMs (0: before everything)
  let loAt: string | null = null;
  let hi = head; // recorded after timeMs
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const probe = await recordedMs(mid);
    if (probe.ms <= timeMs) {
      lo = mid;
      loAt = probe.at;
    } else hi = mid;
  }
  return { position: lo, recordedAt: loAt };
}

/** An event the index has seen: where it is and when it was recorded. */
interface Mark {
  readonly position: number;
  readonly recordedAt: string;
  readonly ms: number;
}

export interface LogTimeIndexOptions {
  /** One event in this many is kept as a mark; a look-up reads at most about as many events (default 1000). */
  readonly markEvery?: number;
}

/**
 * Times of a log whose positions are not counters (EventStoreDB), where the only reads
 * possible start at 0 or at a position the store returned: nothing can be read "in the
 * middle" of the log without having read up to there. The index reads the log forward, a
 * page at a time, only as far as a look-up needs, and keeps every `markEvery`-th event's
 * position and recorded time (some 100 kB per million events with the default 1000). A
 * look-up in the part already read is a binary search over the marks and one read of at
 * most `markEvery` + 1 events from the mark before the answer; a look-up past it reads on
 * from where the last one stopped. Look-ups may run concurrently; reads that extend the
 * index run one at a time.
 */
export class LogTimeIndex {
  private readonly markEvery: number;
  /** Every `markEvery`-th event read, in log order (the first included). */
  private readonly marks: Mark[] = [];
  /** How many events have been read. */
  private seen = 0;
  /** The last event read (the index has read every event up to its position). */
  private last: Mark | null = null;
  /** Every event at a position up to this one has been read (at least `last.position`). */
  private coveredUpTo = 0;
  private extending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    options: LogTimeIndexOptions = {},
  ) {
    this.markEvery = Math.max(1, Math.floor(options.markEvery ?? 1000));
  }

  /** See `positionAtTime`. */
  async positionAtTime(timeMs: number, head: number): Promise<LogPoint> {
    if (head < 1) return { position: 0, recordedAt: null };
    // Read on until the first event recorded after timeMs, or the head.
    await this.extend(head, () => (this.last?.ms ?? -Infinity) > timeMs);
    // The common case: a time after the last append is the head.
    if (this.last?.position === head && this.last.ms <= timeMs)
      return { position: head, recordedAt: this.last.recordedAt };
    const upTo = this.marksUpTo(head);
    // The last mark recorded at or before timeMs (times rise with positions).
    let lo = 0;
    let hi = upTo;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.marks[mid].ms <= timeMs) lo = mid + 1;
      else hi = mid;
    }
    // The first mark is the log's first event: recorded after timeMs, nothing was there yet.
    if (lo === 0 && upTo > 0) return { position: 0, recordedAt: null };
    const from = lo > 0 ? this.marks[lo - 1] : null;
    let found: LogPoint = from
      ? { position: from.position, recordedAt: from.recordedAt }
      : { position: 0, recordedAt: null };
    await this.readFrom(from?.position ?? 0, (event) => {
      if (event.position > head || Date.parse(event.recordedAt) > timeMs) return false;
      found = { position: event.position, recordedAt: event.recordedAt };
      return true;
    });
    return found;
  }

  /** See `recordedAtOf`. */
  async recordedAtOf(position: number): Promise<string | null> {
    if (position < 1) return null;
    await this.extend(position, () => (this.last?.position ?? 0) >= position);
    const upTo = this.marksUpTo(position);
    const from = upTo > 0 ? this.marks[upTo - 1] : null;
    if (from?.position === position) return from.recordedAt;
    let recordedAt: string | null = null;
    await this.readFrom(from?.position ?? 0, (event) => {
      if (event.position === position) recordedAt = event.recordedAt;
      return event.position < position;
    });
    return recordedAt;
  }

  /** How many marks are at positions up to `position`. */
  private marksUpTo(position: number): number {
    let lo = 0;
    let hi = this.marks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.marks[mid].position <= position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Reads events after `after` (0 or a position the store returned) in pages, handing each
   * to `each` until it returns false or the log ends. One page when the index covers that
   * part of the log (the next mark stops it).
   */
  private async readFrom(after: number, each: (event: RecordedEvent) => boolean): Promise<void> {
    for (;;) {
      const page = await this.store.readAll({ after, maxCount: this.markEvery + 1 });
      for (const event of page) if (!each(event)) return;
      if (page.length <= this.markEvery) return;
      after = page[page.length - 1].position;
    }
  }

  /** Reads on (one reader at a time) until `enough()` or every event up to `head` is read. */
  private extend(head: number, enough: () => boolean): Promise<void> {
    const run = this.extending.then(async () => {
      while (this.coveredUpTo < head && !enough()) {
        const pageSize = Math.max(this.markEvery, 1000);
        const page = await this.store.readAll({
          after: this.last?.position ?? 0,
          maxCount: pageSize,
        });
        for (const event of page) {
          if (event.position > head) break;
          const mark = {
            position: event.position,
            recordedAt: event.recordedAt,
            ms: Date.parse(event.recordedAt),
          };
          if (this.seen % this.markEvery === 0) this.marks.push(mark);
          this.seen += 1;
          this.last = mark;
          this.coveredUpTo = Math.max(this.coveredUpTo, event.position);
          if (enough()) return;
        }
        // The page ends the log, or goes past the head: everything up to the head is read.
        if (page.length < pageSize || page[page.length - 1].position >= head)
          this.coveredUpTo = Math.max(this.coveredUpTo, head);
      }
    });
    this.extending = run.catch(() => undefined);
    return run;
  }
}
