import { type RecordedEvent } from '@rapport/event-store';
import { type CheckpointRange } from './checkpoint';

/**
 * Applies a batch in segments split at the events that must be applied alone (an erasure, a
 * lifted suppression): `run` gets the events before such an event with their range, `alone`
 * gets it with its own (the previous event's position → its position), and so on; a last
 * `run` covers the rest up to `range.upTo` (also when the batch had nothing else). Each call
 * continues the checkpoint of the one before, so a model can delete a person before its
 * checkpoint moves past their erasure, and a crash in between applies the erasure again.
 */
export async function inSegments<A>(
  events: readonly RecordedEvent[],
  range: CheckpointRange,
  aloneOf: (event: RecordedEvent) => A | null,
  run: (events: RecordedEvent[], range: CheckpointRange) => Promise<void>,
  alone: (what: A, range: CheckpointRange) => Promise<void>,
): Promise<void> {
  let segment: RecordedEvent[] = [];
  let after = range.after;
  let previous = range.after;
  for (const event of events) {
    const before = previous;
    previous = event.position;
    const what = aloneOf(event);
    if (what === null) {
      segment.push(event);
      continue;
    }
    if (before !== after) await run(segment, { after, upTo: before });
    await alone(what, { after: before, upTo: event.position });
    [segment, after] = [[], event.position];
  }
  if (after !== range.upTo || after === range.after)
    await run(segment, { after, upTo: range.upTo });
}
