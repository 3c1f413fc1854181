import { WrongExpectedRevisionError } from './errors';
import { type ExpectedRevision } from './event-store';

/** Throws when a stream whose last revision is `actual` (-1: no stream) does not meet `expected`. */
export function checkExpectedRevision(
  streamId: string,
  expected: ExpectedRevision,
  actual: number,
): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === -1) ||
    (expected === 'stream_exists' && actual >= 0) ||
    expected === actual;
  if (!ok) throw new WrongExpectedRevisionError(streamId, expected, actual);
}
