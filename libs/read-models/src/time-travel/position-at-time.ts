import { type EventStore } from '@rapport/event-store';

/** A log position and when the log recorded the event there (null for position 0: nothing yet). */
export interface LogPoint {
  readonly position: number;
  readonly recordedAt: string | null;
}

/** When the log recorded the event at `position` (1 … head); null for 0 or past the head. */
export async function recordedAtOf(store: EventStore, position: number): Promise<string | null> {
  if (position < 1) return null;
  const [event] = await store.readAll({ after: position - 1, maxCount: 1 });
  return event?.position === position ? event.recordedAt : null;
}

/**
 * The log as it was at `timeMs`: the last position the log had recorded (appended) at or
 * before that time, found by binary search over positions 1 … `head` on each event's
 * recorded time — at most ⌈log₂ head⌉ + 1 reads of one event each (21 for a million
 * events), never a scan. Positions are given in commit order, so recorded times rise with
 * them; should a writer's clock step back, the answer is still a position recorded at or
 * before `timeMs` whose next event was recorded after it. Position 0 (nothing) when the
 * log was still empty then.
 */
export async function positionAtTime(
  store: EventStore,
  timeMs: number,
  head: number,
): Promise<LogPoint> {
  const recordedMs = async (position: number) => {
    const at = await recordedAtOf(store, position);
    if (at === null) throw new Error(`the log has no event at position ${position}`);
    return { at, ms: Date.parse(at) };
  };
  if (head < 1) return { position: 0, recordedAt: null };
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
