import { parseInboundEvent } from '@rapport/wire';
import { CloudEvent, Kafka as CloudEventsKafka } from 'cloudevents';
import { type IHeaders, type Message } from 'kafkajs';
import {
  DLQ_HEADERS,
  type KafkaRecord,
  decodeKafkaMessage,
  dlqMessage,
  encodeBinary,
  encodeStructured,
} from './kafka-binding';

const now = new Date('2026-03-10T12:00:00Z');

const event = {
  specversion: '1.0',
  id: 'mail-4711',
  source: 'adapters/email',
  type: 'touchpoint.recorded.v1',
  time: '2026-03-01T09:00:00.000Z',
  subject: 'order-1234',
  datacontenttype: 'application/json',
  data: {
    channel: 'email',
    direction: 'inbound',
    identity: { kind: 'email', value: 'Maria.Rossi@example.com' },
    content: { subject: 'Order 1234', text: 'Where is my parcel? ü €' },
  },
};

/** What a kafkajs consumer hands over: every header value and the value as Buffers. */
function asConsumed(message: Message): KafkaRecord {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    headers[name] = Buffer.from(String(value));
  }
  const toBuffer = (v: Buffer | string | null | undefined) =>
    v === null || v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v);
  return { key: toBuffer(message.key), value: toBuffer(message.value), headers };
}

function binaryRecord(headers: Record<string, string>, value: string | null): KafkaRecord {
  return asConsumed({ key: 'k', value, headers });
}

const binaryHeaders = {
  ce_specversion: '1.0',
  ce_id: 'chat-88',
  ce_source: 'adapters/chat',
  ce_type: 'touchpoint.recorded.v1',
  ce_time: '2026-03-02T15:30:00Z',
  'content-type': 'application/json',
};
const chatData = JSON.stringify({
  channel: 'chat',
  direction: 'inbound',
  identity: { kind: 'chat', value: 'visitor-1' },
});

function reasonOf(record: KafkaRecord): string {
  const decoded = decodeKafkaMessage(record);
  if (decoded.ok) throw new Error(`expected a refusal, got ${JSON.stringify(decoded.event)}`);
  return decoded.reason;
}

describe('encodeBinary / encodeStructured → decodeKafkaMessage', () => {
  it.each([
    ['binary', encodeBinary],
    ['structured', encodeStructured],
  ] as const)('round-trips a touchpoint in %s mode', (mode, encode) => {
    const message = encode(event, 'email:maria.rossi@example.com');
    expect(message.key).toBe('email:maria.rossi@example.com');
    const decoded = decodeKafkaMessage(asConsumed(message));
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.mode).toBe(mode);
    expect(decoded.event).toEqual(event);
    expect(parseInboundEvent(decoded.event, { now }).ok).toBe(true);
  });

  it('binary mode: attributes in ce_ headers, datacontenttype only in content-type, data as JSON', () => {
    const message = encodeBinary(new CloudEvent<unknown>(event), 'key');
    expect(message.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: 'mail-4711',
      ce_source: 'adapters/email',
      ce_type: 'touchpoint.recorded.v1',
      ce_time: '2026-03-01T09:00:00.000Z',
      ce_subject: 'order-1234',
      'content-type': 'application/json',
    });
    expect(JSON.parse(String(message.value))).toEqual(event.data);
    // No Kafka timestamp from the event time: retention would drop back-filled events early.
    expect(message.timestamp).toBeUndefined();
  });

  it('structured mode: the JSON envelope with the cloudevents content type, key not inside', () => {
    const message = encodeStructured(event, 'key');
    expect(message.headers).toEqual({
      'content-type': 'application/cloudevents+json; charset=utf-8',
    });
    expect(JSON.parse(String(message.value))).toEqual(event);
    expect(message.timestamp).toBeUndefined();
  });

  it('reads a binary message as the cloudevents SDK writes it (ce_datacontenttype, charset)', () => {
    const sdk = CloudEventsKafka.binary(
      new CloudEvent<unknown>({ ...event, datacontenttype: 'application/json; charset=utf-8' }),
    );
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(sdk.headers)) {
      if (typeof value === 'string') headers[name] = value;
    }
    delete headers['content-type'];
    expect(headers.ce_datacontenttype).toBe('application/json; charset=utf-8');
    const decoded = decodeKafkaMessage(binaryRecord(headers, JSON.stringify(sdk.value)));
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.event.datacontenttype).toBe('application/json');
    expect(parseInboundEvent(decoded.event, { now }).ok).toBe(true);
  });
});

describe('decodeKafkaMessage', () => {
  it('decodes binary mode from Buffer headers, content-type in any letter case', () => {
    const { 'content-type': _ct, ...rest } = binaryHeaders;
    const decoded = decodeKafkaMessage(
      binaryRecord({ ...rest, 'Content-Type': 'application/json; charset=UTF-8' }, chatData),
    );
    expect(decoded).toEqual({
      ok: true,
      mode: 'binary',
      event: {
        specversion: '1.0',
        id: 'chat-88',
        source: 'adapters/chat',
        type: 'touchpoint.recorded.v1',
        time: '2026-03-02T15:30:00Z',
        datacontenttype: 'application/json',
        data: JSON.parse(chatData),
      },
    });
  });

  it('passes unknown extension attributes through, so validation refuses them by name', () => {
    const decoded = decodeKafkaMessage(
      binaryRecord({ ...binaryHeaders, ce_colour: 'red' }, chatData),
    );
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.event.colour).toBe('red');
    const parsed = parseInboundEvent(decoded.event, { now });
    expect(parsed.ok ? [] : parsed.errors.map((e) => e.path)).toContain('colour');
  });

  it('keeps a non-JSON datacontenttype parameter so that validation names it', () => {
    const record = binaryRecord(
      { ...binaryHeaders, 'content-type': 'application/json; charset=latin1' },
      chatData,
    );
    const decoded = decodeKafkaMessage(record);
    if (!decoded.ok) throw new Error(decoded.reason);
    const parsed = parseInboundEvent(decoded.event, { now });
    expect(parsed.ok ? [] : parsed.errors.map((e) => e.path)).toEqual(['datacontenttype']);
  });

  it('ignores ce_ headers in structured mode', () => {
    const message = encodeStructured(event, 'k');
    const record = asConsumed({
      ...message,
      headers: { ...message.headers, 'ce_x-y': 'z', ce_id: 'other' },
    });
    const decoded = decodeKafkaMessage(record);
    expect(decoded.ok && decoded.event.id).toBe('mail-4711');
  });

  it.each([
    ['binary', binaryRecord(binaryHeaders, '{"channel": "chat",')],
    ['structured', asConsumed({ ...encodeStructured(event, 'k'), value: '{"id": ' })],
  ])('refuses invalid JSON in %s mode', (mode, record) => {
    expect(reasonOf(record)).toMatch(new RegExp(`^${mode}-mode value is not valid JSON: .+`));
  });

  it('refuses an empty value as invalid JSON', () => {
    expect(reasonOf(binaryRecord(binaryHeaders, ''))).toBe(
      'binary-mode value is not valid JSON: the value is empty',
    );
  });

  it.each([
    ['binary', binaryRecord(binaryHeaders, null)],
    ['structured', asConsumed({ ...encodeStructured(event, 'k'), value: null })],
  ])('refuses a null value in %s mode', (mode, record) => {
    expect(reasonOf(record)).toMatch(new RegExp(`^${mode}-mode message has a null value`));
  });

  it('refuses a structured value that is not an object', () => {
    const record = asConsumed({ ...encodeStructured(event, 'k'), value: '[1, 2]' });
    expect(reasonOf(record)).toBe('structured-mode value is not a JSON object');
  });

  it.each([
    ['no headers at all', { key: null, value: Buffer.from(chatData) }],
    ['a plain JSON message', binaryRecord({ 'content-type': 'application/json' }, chatData)],
    [
      'attributes without ce_specversion',
      binaryRecord({ ce_id: 'x', ce_source: 's', ce_type: 't' }, chatData),
    ],
  ])('refuses %s as not a CloudEvent', (_what, record) => {
    expect(reasonOf(record as KafkaRecord)).toMatch(
      /^not a CloudEvent: no content-type "application\/cloudevents\+json" header \(structured mode\) and no ce_specversion header \(binary mode\)/,
    );
  });

  it('names the content type of a plain JSON message in the reason', () => {
    expect(reasonOf(binaryRecord({ 'content-type': 'application/json' }, chatData))).toMatch(
      /content-type is "application\/json"$/,
    );
  });

  it('refuses batched and non-JSON structured content types', () => {
    const batch = binaryRecord({ 'content-type': 'application/cloudevents-batch+json' }, '[]');
    expect(reasonOf(batch)).toMatch(/application\/cloudevents-batch\+json" is not supported/);
    const avro = binaryRecord({ 'content-type': 'application/cloudevents+avro' }, 'x');
    expect(reasonOf(avro)).toMatch(/application\/cloudevents\+avro" is not supported/);
  });

  it('refuses binary data that is not JSON', () => {
    const record = binaryRecord({ ...binaryHeaders, 'content-type': 'text/plain' }, 'hello');
    expect(reasonOf(record)).toBe(
      'binary-mode content-type "text/plain" is not JSON; Rapport reads JSON data',
    );
  });

  it('refuses repeated and malformed ce_ headers in binary mode', () => {
    const repeated: KafkaRecord = {
      key: null,
      value: Buffer.from(chatData),
      headers: { ...binaryRecord(binaryHeaders, null).headers, ce_id: [Buffer.from('a'), 'b'] },
    };
    expect(reasonOf(repeated)).toBe('header "ce_id" appears more than once');
    expect(reasonOf(binaryRecord({ ...binaryHeaders, ce_data: '{}' }, chatData))).toBe(
      'header "ce_data" does not name a CloudEvents attribute',
    );
    expect(reasonOf(binaryRecord({ ...binaryHeaders, 'ce_x-y': '1' }, chatData))).toBe(
      'header "ce_x-y" does not name a CloudEvents attribute',
    );
  });
});

describe('dlqMessage', () => {
  const original = {
    key: Buffer.from('email:ann@example.com'),
    value: Buffer.from([0x7b, 0x22, 0xff, 0x00, 0x7d]), // not even UTF-8: kept byte for byte
    headers: { ce_id: Buffer.from('m-1'), traceparent: Buffer.from('00-abc-def-01') },
    topic: 'touchpoints.email',
    partition: 3,
    offset: '41',
  };

  it('keeps the original key, value bytes and headers, and adds why and where from', () => {
    const reasons = [{ path: 'data.identity.value', message: 'not an e-mail address' }];
    const message = dlqMessage(original, reasons, now);
    expect(message.key).toBe(original.key);
    expect(Buffer.compare(message.value as Buffer, original.value)).toBe(0);
    expect(message.headers).toEqual({
      ce_id: original.headers.ce_id,
      traceparent: original.headers.traceparent,
      [DLQ_HEADERS.reasons]: JSON.stringify(reasons),
      [DLQ_HEADERS.topic]: 'touchpoints.email',
      [DLQ_HEADERS.partition]: '3',
      [DLQ_HEADERS.offset]: '41',
      [DLQ_HEADERS.at]: '2026-03-10T12:00:00.000Z',
    });
  });

  it('stores a plain reason in the same JSON shape', () => {
    const message = dlqMessage(original, 'not a CloudEvent', now);
    expect(JSON.parse(String(message.headers?.[DLQ_HEADERS.reasons]))).toEqual([
      { path: '(message)', message: 'not a CloudEvent' },
    ]);
  });

  it('replaces the DLQ headers of a record that was dead-lettered before', () => {
    const again = { ...original, headers: { ...original.headers, [DLQ_HEADERS.offset]: '7' } };
    expect(dlqMessage(again, 'x', now).headers?.[DLQ_HEADERS.offset]).toBe('41');
  });
});
