import stringify from 'safe-stable-stringify';
import { validate as isUuid } from 'uuid';
import { EventTooLargeError, InvalidAppendError } from './errors';
import { type NewEvent } from './event-store';

export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

/**
 * How an event's data is stored: `json` (JSON text of any JSON value) or `binary` (the
 * bytes of a `Uint8Array`/`Buffer`, stored as they are and read back as a `Buffer`).
 */
export type DataFormat = 'json' | 'binary';

/** An event serialised for storage. */
export interface SerializedEvent {
  readonly id: string;
  readonly type: string;
  readonly dataFormat: DataFormat;
  /** JSON text (`json`) or a private copy of the bytes (`binary`). */
  readonly data: string | Buffer;
  readonly metadata: string;
}

/** What `sameEventContent` compares: an event as serialised, or as a store holds it. */
export type EventContent = Pick<SerializedEvent, 'type' | 'data' | 'metadata'>;

/**
 * Whether a re-appended event is the same event as the stored one: same type, data and
 * metadata. Equal JSON text is the common case (a retry sends the same bytes); otherwise
 * the values are compared with object keys sorted, so a retry whose JSON lists keys in
 * another order is still recognised. Binary data is the same only as the same bytes, and
 * never equals JSON data (a `Buffer` is not the JSON of its bytes).
 */
export function sameEventContent(a: EventContent, b: EventContent): boolean {
  if (a.type !== b.type || !sameMetadata(a.metadata, b.metadata)) return false;
  if (typeof a.data === 'string' && typeof b.data === 'string') return sameJson(a.data, b.data);
  if (typeof a.data === 'string' || typeof b.data === 'string') return false;
  return a.data.equals(b.data);
}

/**
 * Metadata compared without `trace`: the trace context an event was appended in (ADR 0031)
 * says where this append came from, not what the event is, so the same touchpoint
 * published again under another trace is a duplicate, not a conflict.
 */
function sameMetadata(a: string, b: string): boolean {
  if (a === b) return true;
  const canonical = (json: string) => {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return stringify(value);
    const { trace: _trace, ...rest } = value as Record<string, unknown>;
    return stringify(rest);
  };
  return canonical(a) === canonical(b);
}

function sameJson(a: string, b: string): boolean {
  if (a === b) return true;
  const canonical = (json: string) => stringify(JSON.parse(json));
  return canonical(a) === canonical(b);
}

/**
 * Serialises and checks an event before it is written.
 */
export function serializeEvent(event: NewEvent, maxBytes: number): SerializedEvent {
  if (!isUuid(event.id))
    throw new InvalidAppendError(`event id ${JSON.stringify(event.id)} is not a UUID`);
  if (typeof event.type !== 'string' || event.type.length === 0 || event.type.length > 256) {
    throw new InvalidAppendError(`event ${event.id}: type must be a string of 1–256 characters`);
  }
  // A copy of binary data: the caller may reuse its buffer before an asynchronous store
  // has sent it (and `Buffer.from` of a `Uint8Array` copies).
  const binary = event.data instanceof Uint8Array;
  const data = binary ? Buffer.from(event.data) : JSON.stringify(event.data ?? null);
  const metadata = event.metadata === undefined ? '{}' : JSON.stringify(event.metadata ?? {});
  // A UTF-16 code unit is at most 3 bytes of UTF-8: most events are counted without a scan.
  if ((data.length + metadata.length) * 3 > maxBytes) {
    const size =
      (typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength) +
      Buffer.byteLength(metadata);
    if (size > maxBytes) throw new EventTooLargeError(event.id, size, maxBytes);
  }
  return {
    id: event.id.toLowerCase(),
    type: event.type,
    dataFormat: binary ? 'binary' : 'json',
    data,
    metadata,
  };
}

export function assertStreamId(streamId: string): void {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > 512) {
    throw new InvalidAppendError('stream id must be a string of 1–512 characters');
  }
  if (streamId.startsWith('$'))
    throw new InvalidAppendError(`stream id ${streamId}: names starting with $ are reserved`);
}
