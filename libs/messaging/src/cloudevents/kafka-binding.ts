import { CloudEvent, type CloudEventV1, CONSTANTS, Kafka as CloudEventsKafka } from 'cloudevents';
import { type IHeaders, type Message } from 'kafkajs';

/**
 * The CloudEvents Kafka protocol binding (spec v1.0), both content modes, JSON only.
 *
 * - structured mode: header `content-type: application/cloudevents+json`, the value is
 *   the whole event as JSON;
 * - binary mode: every attribute in a `ce_<name>` header (so `ce_specversion` is always
 *   there), `datacontenttype` in the `content-type` header, the value is the data.
 *
 * Decoding is on the ingest hot path, so it reads headers directly and leaves all
 * validation to `parseInboundEvent`; encoding uses the cloudevents SDK.
 */
export type ContentMode = 'binary' | 'structured';

/** A record as the kafkajs consumer hands it over (only the parts the binding reads). */
export interface KafkaRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders;
}

export type DecodeResult =
  | { readonly ok: true; readonly event: Record<string, unknown>; readonly mode: ContentMode }
  | { readonly ok: false; readonly reason: string };

/** An event to encode: an SDK `CloudEvent`, or its attributes as a plain object. */
export type EncodableEvent = CloudEvent<unknown> | CloudEventV1<unknown>;

const CONTENT_TYPE = CONSTANTS.HEADER_CONTENT_TYPE; // 'content-type'
const CE_PREFIX = 'ce_'; // the SDK's Kafka headers: ce_id, ce_type, …
const STRUCTURED_JSON = CONSTANTS.MIME_CE_JSON; // 'application/cloudevents+json'
const ATTRIBUTE_NAME = /^[a-z0-9]+$/;

export const DLQ_HEADERS = {
  reasons: 'rapport_dlq_reasons',
  topic: 'rapport_dlq_topic',
  partition: 'rapport_dlq_partition',
  offset: 'rapport_dlq_offset',
  at: 'rapport_dlq_at',
} as const;

/**
 * Turns a Kafka record into a plain structured-mode-shaped event object
 * (`{ specversion, id, source, type, time, …, data }`) for `parseInboundEvent`, or a
 * reason why it is not a CloudEvent at all. Unknown `ce_` attributes are passed through
 * so that validation refuses them with a field error.
 */
export function decodeKafkaMessage(message: KafkaRecord): DecodeResult {
  let contentType: string | undefined;
  let ceDataContentType: string | undefined;
  let attributes: Record<string, unknown> | undefined;
  let hasSpecversionHeader = false;
  // ce_ headers only matter in binary mode, so a problem with one is kept, not returned yet.
  let binaryProblem: string | undefined;

  const headers = message.headers;
  if (headers) {
    for (const rawName in headers) {
      const raw = headers[rawName];
      if (raw === undefined) continue;
      const name = rawName.toLowerCase();
      if (name === CONTENT_TYPE) {
        if (Array.isArray(raw) || contentType !== undefined) {
          return fail(`header "${rawName}" appears more than once`);
        }
        contentType = typeof raw === 'string' ? raw : raw.toString('utf8');
        continue;
      }
      if (!name.startsWith(CE_PREFIX)) continue; // tracing and other headers
      const attribute = name.slice(CE_PREFIX.length);
      if (attribute === 'specversion') hasSpecversionHeader = true;
      attributes ??= {};
      if (Array.isArray(raw) || Object.hasOwn(attributes, attribute)) {
        binaryProblem ??= `header "${rawName}" appears more than once`;
      } else if (!ATTRIBUTE_NAME.test(attribute) || attribute === 'data') {
        binaryProblem ??= `header "${rawName}" does not name a CloudEvents attribute`;
      } else {
        const value = typeof raw === 'string' ? raw : raw.toString('utf8');
        // The spec carries datacontenttype in content-type; the JS SDK also writes ce_datacontenttype.
        if (attribute === 'datacontenttype') ceDataContentType = value;
        else attributes[attribute] = value;
      }
    }
  }

  if (contentType !== undefined && isCloudEventsMediaType(contentType)) {
    const media = mediaTypeOf(contentType);
    if (media !== STRUCTURED_JSON) {
      return fail(`content-type "${contentType}" is not supported (only ${STRUCTURED_JSON})`);
    }
    return decodeStructured(message.value);
  }
  if (hasSpecversionHeader && attributes) {
    if (binaryProblem !== undefined) return fail(binaryProblem);
    return decodeBinary(attributes, contentType ?? ceDataContentType, message.value);
  }
  return fail(
    `not a CloudEvent: no content-type "${STRUCTURED_JSON}" header (structured mode) ` +
      `and no ce_specversion header (binary mode)` +
      (contentType === undefined ? '' : `; content-type is "${contentType}"`),
  );
}

function decodeStructured(value: Buffer | null): DecodeResult {
  if (value === null) return fail('structured-mode message has a null value (no event)');
  const parsed = parseJson(value);
  if (!parsed.ok) return fail(`structured-mode value is not valid JSON: ${parsed.error}`);
  const event = parsed.value;
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return fail('structured-mode value is not a JSON object');
  }
  return { ok: true, event: event as Record<string, unknown>, mode: 'structured' };
}

function decodeBinary(
  attributes: Record<string, unknown>,
  contentType: string | undefined,
  value: Buffer | null,
): DecodeResult {
  if (value === null) return fail('binary-mode message has a null value (a touchpoint has data)');
  if (contentType !== undefined && !isJsonMediaType(contentType)) {
    return fail(`binary-mode content-type "${contentType}" is not JSON; Rapport reads JSON data`);
  }
  const parsed = parseJson(value);
  if (!parsed.ok) return fail(`binary-mode value is not valid JSON: ${parsed.error}`);
  const event = attributes;
  if (contentType !== undefined) event.datacontenttype = normaliseJsonContentType(contentType);
  event.data = parsed.value;
  return { ok: true, event, mode: 'binary' };
}

function fail(reason: string): DecodeResult {
  return { ok: false, reason };
}

function parseJson(value: Buffer): { ok: true; value: unknown } | { ok: false; error: string } {
  if (value.length === 0) return { ok: false, error: 'the value is empty' };
  try {
    return { ok: true, value: JSON.parse(value.toString('utf8')) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function mediaTypeOf(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

function isCloudEventsMediaType(contentType: string): boolean {
  return mediaTypeOf(contentType).startsWith(CONSTANTS.MIME_CE); // also catches -batch+json
}

function isJsonMediaType(contentType: string): boolean {
  if (contentType === CONSTANTS.MIME_JSON) return true;
  const media = mediaTypeOf(contentType);
  return media === CONSTANTS.MIME_JSON || media.endsWith('+json');
}

/**
 * `application/json; charset=utf-8` says nothing more than `application/json` (JSON is
 * UTF-8), and SDKs commonly send it; anything else is kept as written so that validation
 * refuses it by name.
 */
function normaliseJsonContentType(contentType: string): string {
  if (contentType === CONSTANTS.MIME_JSON) return contentType; // the common case, no parsing
  const [media, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  const onlyUtf8 = params.every((p) => p.replace(/\s+/g, '') === 'charset=utf-8');
  return media === CONSTANTS.MIME_JSON && onlyUtf8 ? CONSTANTS.MIME_JSON : contentType;
}

/**
 * Plain attributes become an SDK event without validation (the caller validated them;
 * the SDK's checks would cost more than the rest of encoding). Note that the SDK fills a
 * missing `id` (random UUID) and `time` (now) and defaults `specversion` to 1.0.
 */
function toCloudEvent(event: EncodableEvent): CloudEvent<unknown> {
  return event instanceof CloudEvent ? event : new CloudEvent<unknown>(event, false);
}

/**
 * A binary-mode Kafka message: attributes in `ce_*` headers (the SDK's naming), the data
 * as JSON in the value, `datacontenttype` in `content-type`. The SDK's own binary message
 * is only a starting point: it leaves the data unserialised, adds `ce_` headers for unset
 * attributes and a duplicate `ce_datacontenttype`, and sets the Kafka timestamp to the
 * event time, which would let time-based retention delete back-filled old events early.
 * The Kafka timestamp is left to the producer (send time).
 */
export function encodeBinary(event: EncodableEvent, key: string): Message {
  const ce = toCloudEvent(event);
  const sdk = CloudEventsKafka.binary(ce);
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(sdk.headers)) {
    if (value === undefined || value === null || name === `${CE_PREFIX}datacontenttype`) continue;
    headers[name] = String(value);
  }
  headers[CONTENT_TYPE] = ce.datacontenttype ?? CONSTANTS.MIME_JSON;
  return { key, value: ce.data === undefined ? null : JSON.stringify(ce.data), headers };
}

/**
 * A structured-mode Kafka message: the event as JSON (serialised by the SDK) with
 * `content-type: application/cloudevents+json; charset=utf-8`. The key is given
 * explicitly rather than as the SDK's `partitionkey`, which would also end up in the
 * JSON as an extension attribute.
 */
export function encodeStructured(event: EncodableEvent, key: string): Message {
  const sdk = CloudEventsKafka.structured(toCloudEvent(event));
  return {
    key,
    value: sdk.value,
    headers: { [CONTENT_TYPE]: CONSTANTS.DEFAULT_CE_CONTENT_TYPE },
  };
}

/** A record as it was consumed, with where it came from. */
export interface ConsumedRecord extends KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface DlqReason {
  readonly path: string;
  readonly message: string;
}

/**
 * The dead-letter copy of a record: the original key, value bytes and headers untouched
 * (so it can be inspected or replayed as it was), plus `rapport_dlq_*` headers saying why
 * and where from. A plain string reason becomes `[{ path: '(message)', message }]`, so the
 * reasons header is always the same JSON shape.
 */
export function dlqMessage(
  original: ConsumedRecord,
  reasons: readonly DlqReason[] | string,
  now: Date,
): Message {
  const list: readonly DlqReason[] =
    typeof reasons === 'string' ? [{ path: '(message)', message: reasons }] : reasons;
  return {
    key: original.key,
    value: original.value,
    headers: {
      ...original.headers,
      [DLQ_HEADERS.reasons]: JSON.stringify(list),
      [DLQ_HEADERS.topic]: original.topic,
      [DLQ_HEADERS.partition]: String(original.partition),
      [DLQ_HEADERS.offset]: original.offset,
      [DLQ_HEADERS.at]: now.toISOString(),
    },
  };
}
