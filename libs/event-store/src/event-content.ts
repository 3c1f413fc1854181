import stringify from 'safe-stable-stringify';
import { validate as isUuid } from 'uuid';
import { EventTooLargeError, InvalidAppendError } from './errors';
import { type NewEvent } from './event-store';

export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

/** An event serialised for storage. */
export interface SerializedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

/**
 * Whether a re-appended event is the same event as the stored one: same type, data and
 * metadata. Equal JSON text is the common case (a retry sends the same bytes); otherwise
 * the values are compared with object keys sorted, so a retry whose JSON lists keys in
 * another order is still recognised.
 */
export function sameEventContent(
  a: Omit<SerializedEvent, 'id'>,
  b: Omit<SerializedEvent, 'id'>,
): boolean {
  if (a.type !== b.type) return false;
  if (a.data === b.data && a.metadata === b.metadata) return true;
  const canonical = (json: string) => stringify(JSON.parse(json));
  return canonical(a.data) === canonical(b.data) && canonical(a.metadata) === canonical(b.metadata);
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
  const data = JSON.stringify(event.data ?? null);
  const metadata = JSON.stringify(event.metadata ?? {});
  const size = Buffer.byteLength(data) + Buffer.byteLength(metadata);
  if (size > maxBytes) throw new EventTooLargeError(event.id, size, maxBytes);
  return { id: event.id.toLowerCase(), type: event.type, data, metadata };
}

export function assertStreamId(streamId: string): void {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > 512) {
    throw new InvalidAppendError('stream id must be a string of 1–512 characters');
  }
  if (streamId.startsWith('$'))
    throw new InvalidAppendError(`stream id ${streamId}: names starting with $ are reserved`);
}
