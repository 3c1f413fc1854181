import {
  ANY,
  type AppendExpectedRevision,
  type EventData,
  type JSONType,
  MaxAppendSizeExceededError,
  NO_STREAM,
  type Position,
  type ReadPosition,
  type RecordedEvent as EsdbRecordedEvent,
  START,
  STREAM_EXISTS,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { EventTooLargeError, InvalidAppendError, WrongExpectedRevisionError } from '../errors';
import { type EventContent, type SerializedEvent } from '../event-content';
import { type ExpectedRevision, type RecordedEvent } from '../event-store';
import { assertStreamPrefix } from './esdb-url';

/**
 * The port's expected revision as the client's: `any` → ANY, `no_stream` → NO_STREAM,
 * `stream_exists` → STREAM_EXISTS, a revision n → BigInt(n). -1 ("the stream's last
 * revision is none") is NO_STREAM, as the other adapters accept it.
 */
export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      if (expected === -1) return NO_STREAM;
      if (!Number.isSafeInteger(expected) || expected < 0) {
        throw new InvalidAppendError(
          `expected revision ${String(expected)}: use 'any', 'no_stream', 'stream_exists' or a revision ≥ 0`,
        );
      }
      return BigInt(expected);
  }
}

/** The stream's actual last revision that a WrongExpectedVersionError reports; -1 for no stream. */
export function actualRevisionOf(error: WrongExpectedVersionError): number {
  const actual: unknown = error.actualVersion;
  if (typeof actual === 'bigint') return actual < 0n ? -1 : Number(actual);
  if (typeof actual === 'number') return actual < 0 ? -1 : actual;
  return -1; // 'no_stream'
}

/** The client's errors are classes, but match on `type` too: a second copy of the client would break instanceof. */
export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return (
    error instanceof WrongExpectedVersionError ||
    (error instanceof Error && (error as { type?: unknown }).type === 'wrong-expected-version')
  );
}

function isMaxAppendSizeExceeded(error: unknown): error is MaxAppendSizeExceededError {
  return (
    error instanceof MaxAppendSizeExceededError ||
    (error instanceof Error &&
      (error as { type?: unknown }).type === 'maximum-append-size-exceeded')
  );
}

/**
 * The port's typed error for what the client threw on an append, or the error itself.
 * The server's limit on one append (`MaxAppendSize`, 1 MiB by default) is reported as an
 * EventTooLargeError naming the largest event of the append.
 */
export function toStoreAppendError(
  error: unknown,
  streamId: string,
  expected: ExpectedRevision,
  events: readonly SerializedEvent[],
): unknown {
  if (isWrongExpectedVersion(error)) {
    return new WrongExpectedRevisionError(streamId, expected, actualRevisionOf(error));
  }
  if (isMaxAppendSizeExceeded(error) && events.length > 0) {
    const sizes = events.map((e) => ({ id: e.id, size: serializedSize(e) }));
    const largest = sizes.reduce((a, b) => (b.size > a.size ? b : a));
    const total = sizes.reduce((sum, s) => sum + s.size, 0);
    return new EventTooLargeError(largest.id, total, error.maxAppendSize);
  }
  return error;
}

function serializedSize(event: SerializedEvent): number {
  const data = typeof event.data === 'string' ? Buffer.byteLength(event.data) : event.data.length;
  return data + Buffer.byteLength(event.metadata);
}

/**
 * A position of this adapter: the commit position of the event in `$all`, a byte offset
 * in the transaction log. Events appended through gRPC are committed one record each, so
 * commit and prepare positions are equal and unique per event. Not gap-free: positions
 * are checkpoints, not counters.
 */
export function positionNumber(position: Position): number {
  const commit = position.commit;
  if (commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`$all position ${commit} is beyond 2^53; it cannot be a number`);
  }
  return Number(commit);
}

/** Where to start reading `$all` for events after the checkpoint `after` (0: the start). */
export function readPositionAfter(after: number): ReadPosition {
  if (!Number.isSafeInteger(after) || after < 0) {
    throw new RangeError(`position ${after}: a checkpoint is 0 or a position this store returned`);
  }
  if (after === 0) return START;
  const at = BigInt(after);
  return { commit: at, prepare: at };
}

/** Maps our stream ids to EventStoreDB stream names and back, under an optional prefix. */
export class StreamNames {
  constructor(readonly prefix: string) {
    assertStreamPrefix(prefix);
  }

  toEsdb(streamId: string): string {
    return this.prefix + streamId;
  }

  /** Our stream id for an EventStoreDB stream name, or undefined when the stream is not ours. */
  fromEsdb(streamName: string): string | undefined {
    if (streamName.startsWith('$')) return undefined;
    if (!streamName.startsWith(this.prefix)) return undefined;
    const id = streamName.slice(this.prefix.length);
    return id.length > 0 ? id : undefined;
  }
}

/** Whether an event read from `$all` belongs to this store: not a system event, under our prefix. */
export function isOurs(event: Pick<EsdbRecordedEvent, 'streamId' | 'type'>, names: StreamNames) {
  return !event.type.startsWith('$') && names.fromEsdb(event.streamId) !== undefined;
}

/**
 * An event as the client sends it. JSON data goes as the parsed value (the client writes
 * `JSON.stringify` of it: the same text `serializeEvent` checked); binary data as its
 * bytes. Metadata always goes as the bytes of its JSON text: the client would silently
 * drop a falsy metadata value, and a plain `Uint8Array` is sent as it is.
 */
export function toEventData(event: SerializedEvent): EventData {
  const metadata = new Uint8Array(Buffer.from(event.metadata, 'utf8'));
  if (typeof event.data === 'string') {
    return {
      id: event.id,
      contentType: 'application/json',
      type: event.type,
      data: JSON.parse(event.data) as JSONType,
      metadata,
    };
  }
  return {
    id: event.id,
    contentType: 'application/octet-stream',
    type: event.type,
    data: Uint8Array.from(event.data),
    metadata,
  };
}

/** A recorded event as the port returns it: our stream id, numbers, binary data as a Buffer. */
export function toRecordedEvent(
  event: EsdbRecordedEvent,
  streamId: string,
  position: number,
): RecordedEvent {
  return {
    id: event.id,
    streamId,
    revision: Number(event.revision),
    position,
    type: event.type,
    data: event.isJson ? event.data : toBuffer(event.data as Uint8Array),
    metadata: readMetadata(event.metadata),
    recordedAt: event.created.toISOString(),
  };
}

/** What an append compares a re-appended event with: the stored event as `serializeEvent` would produce it. */
export function storedContent(event: EsdbRecordedEvent): EventContent {
  return {
    type: event.type,
    data: event.isJson ? JSON.stringify(event.data ?? null) : toBuffer(event.data as Uint8Array),
    metadata: JSON.stringify(readMetadata(event.metadata)),
  };
}

/** Missing metadata reads as `{}` (what `serializeEvent` writes for none); bytes that are not JSON as a Buffer. */
function readMetadata(metadata: unknown): unknown {
  if (metadata === undefined) return {};
  if (metadata instanceof Uint8Array) return toBuffer(metadata);
  return metadata;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
