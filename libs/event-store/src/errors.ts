import { type ExpectedRevision } from './event-store';

/** The stream was not at the revision the writer expected (optimistic concurrency). */
export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual last revision, or -1 when it does not exist. */
    readonly actual: number,
  ) {
    super(
      `stream ${streamId}: expected revision ${String(expected)}, but the stream is at ${
        actual < 0 ? 'no stream' : actual
      }`,
    );
  }
}

/** An event id is already in the log with different content (or in another stream). */
export class EventIdConflictError extends Error {
  override readonly name = 'EventIdConflictError';
  constructor(
    readonly eventId: string,
    readonly existingStreamId: string,
  ) {
    super(
      `event ${eventId} is already in the log (stream ${existingStreamId}) with different content`,
    );
  }
}

/** An event is larger than the store accepts. */
export class EventTooLargeError extends Error {
  override readonly name = 'EventTooLargeError';
  constructor(
    readonly eventId: string,
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super(
      `event ${eventId} is ${sizeBytes} bytes; the log accepts at most ${maxBytes} bytes per event`,
    );
  }
}

/** The arguments of a call are not acceptable (empty stream id, malformed event id, …). */
export class InvalidAppendError extends Error {
  override readonly name = 'InvalidAppendError';
}

/**
 * Whether an error is one of the typed refusals above — the ones an `appendMany` reports
 * per request instead of failing the whole call.
 */
export function isStoreError(error: unknown): error is Error {
  return (
    error instanceof WrongExpectedRevisionError ||
    error instanceof EventIdConflictError ||
    error instanceof EventTooLargeError ||
    error instanceof InvalidAppendError
  );
}
