import { type RecordedEvent } from '../event-store';

/**
 * The most recently read stretch of the log, by position, for every reader of one store in
 * one process. A projector runs several projections, each following the log with its own
 * subscription; they read the same events within moments of each other, and without this
 * each of them would query and parse every event again. Positions must be counters (gap-free),
 * as they are in the SQLite and PostgreSQL stores; logged events never change, so a
 * remembered one is as good as a fresh read. Readers get the same objects: hands off.
 */
export class RecentEvents {
  private readonly slots: (RecordedEvent | undefined)[];

  constructor(private readonly capacity = 16_384) {
    this.slots = new Array<RecordedEvent | undefined>(capacity);
  }

  /**
   * `readAll` through the remembered events: those right after `after` come from here, the
   * rest (from the first one not here) from `read`, and are remembered in turn — unless
   * `remember` is false: with one reader (a rebuild catching up alone) keeping the last
   * 16,384 events alive only makes the garbage collector copy them.
   */
  async readAll(
    after: number,
    maxCount: number,
    read: (after: number, maxCount: number) => Promise<RecordedEvent[]>,
    remember = true,
  ): Promise<RecordedEvent[]> {
    const remembered = this.take(after, maxCount);
    if (remembered.length === maxCount) return remembered;
    const from = remembered.length > 0 ? remembered[remembered.length - 1].position : after;
    const rest = await read(from, maxCount - remembered.length);
    if (remember) for (const event of rest) this.slots[event.position % this.capacity] = event;
    return remembered.length > 0 ? remembered.concat(rest) : rest;
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
