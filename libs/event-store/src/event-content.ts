import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import { validate as isUuid } from 'uuid';
import { EventTooLargeError, InvalidAppendError } from './errors';
import { type NewEvent } from './event-store';

export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

/** An event serialised for storage, with the hash that decides whether a re-append is the same event. */
export interface SerializedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  readonly contentHash: string;
}

/**
 * Serialises and checks an event before it is written. The content hash covers the
 * stream, type, data and metadata with object keys sorted, so a retry whose JSON lists
 * keys in another order is still recognised as the same event.
 */
export function serializeEvent(
  streamId: string,
  event: NewEvent,
  maxBytes: number,
): SerializedEvent {
  if (!isUuid(event.id))
    throw new InvalidAppendError(`event id ${JSON.stringify(event.id)} is not a UUID`);
  if (typeof event.type !== 'string' || event.type.length === 0 || event.type.length > 256) {
    throw new InvalidAppendError(`event ${event.id}: type must be a string of 1–256 characters`);
  }
  const data = JSON.stringify(event.data ?? null);
  const metadata = JSON.stringify(event.metadata ?? {});
  const size = Buffer.byteLength(data) + Buffer.byteLength(metadata);
  if (size > maxBytes) throw new EventTooLargeError(event.id, size, maxBytes);
  const contentHash = createHash('sha256')
    .update(stringify([streamId, event.type, event.data ?? null, event.metadata ?? {}]) as string)
    .digest('base64url');
  return { id: event.id.toLowerCase(), type: event.type, data, metadata, contentHash };
}

export function assertStreamId(streamId: string): void {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > 512) {
    throw new InvalidAppendError('stream id must be a string of 1–512 characters');
  }
  if (streamId.startsWith('$'))
    throw new InvalidAppendError(`stream id ${streamId}: names starting with $ are reserved`);
}
