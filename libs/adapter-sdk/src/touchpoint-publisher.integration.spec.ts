import { randomUUID } from 'node:crypto';
import { parseInboundEvent } from '@rapport/wire';
import {
  decodeKafkaMessage,
  ensureTopics,
  fetchRecordsAt,
  type FetchedRecord,
  kafkaFromUrl,
  loadTopicDefinitions,
} from '@rapport/messaging';
import { describeWithServices } from '@rapport/testing';
import {
  type Kafka,
  type Message,
  type PartitionMetadata,
  Partitioners,
  type ProducerConfig,
} from 'kafkajs';
import { PublishError } from './publish-errors';
import { type TouchpointInput } from './touchpoint-input';
import { partitionKeyOf, type PublishReceipt, TouchpointPublisher } from './touchpoint-publisher';

jest.setTimeout(60_000);

const now = new Date('2026-03-10T12:00:00Z');

describeWithServices(['kafka'], 'TouchpointPublisher on a real Kafka', (urls) => {
  const run = randomUUID().slice(0, 8);
  let kafka: Kafka;
  /** What the publishers asked kafkajs for, and how many Produce requests they made. */
  const seen = { configs: [] as (ProducerConfig | undefined)[], produceRequests: 0 };
  let binary: TouchpointPublisher;
  let structured: TouchpointPublisher;

  beforeAll(async () => {
    kafka = kafkaFromUrl(urls.kafka, `adapter-sdk-test-${run}`);
    const createProducer = kafka.producer.bind(kafka);
    kafka.producer = (config?: ProducerConfig) => {
      seen.configs.push(config);
      const producer = createProducer(config);
      producer.on(producer.events.REQUEST, ({ payload }) => {
        if (payload.apiName === 'Produce') seen.produceRequests += 1;
      });
      return producer;
    };
    await ensureTopics(kafka, loadTopicDefinitions());
    const common = { kafka, clientId: 'unused', now: () => now };
    binary = new TouchpointPublisher({ ...common, source: 'adapters/email', mode: 'binary' });
    // No mode: the default, structured.
    structured = new TouchpointPublisher({ ...common, source: 'adapters/survey-tool' });
    await Promise.all([binary.connect(), structured.connect()]);
  });

  afterAll(async () => {
    await Promise.all([binary?.disconnect(), structured?.disconnect()]);
  });

  async function recordsAt(receipts: PublishReceipt[]): Promise<FetchedRecord[]> {
    return fetchRecordsAt(
      kafka,
      receipts.map(({ topic, partition, offset }) => {
        if (offset === undefined) throw new Error('the receipt has no offset');
        return { topic, partition, offset };
      }),
    );
  }

  function parsedFrom(record: FetchedRecord, mode: 'binary' | 'structured') {
    const decoded = decodeKafkaMessage(record.message);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.mode).toBe(mode);
    const parsed = parseInboundEvent(decoded.event, { now });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    return parsed.value;
  }

  it('uses an idempotent producer with one request in flight', () => {
    expect(seen.configs).toHaveLength(2);
    for (const config of seen.configs) {
      expect(config).toMatchObject({ idempotent: true, maxInFlightRequests: 1 });
    }
  });

  it('round-trips a touchpoint in binary mode', async () => {
    const content = { subject: 'Order 1234', text: 'Where is my parcel? ü €' };
    const receipt = await binary.publish({
      id: `mail-${run}`,
      time: new Date('2026-03-01T09:00:00Z'),
      subject: 'order-1234',
      data: {
        channel: 'email',
        direction: 'inbound',
        identity: { kind: 'email', value: '  Maria.Rossi@Example.COM ' },
        content,
        metadata: { mailbox: 'support' },
      },
    });
    expect(receipt).toMatchObject({
      id: `mail-${run}`,
      topic: 'touchpoints.email',
      key: partitionKeyOf({ kind: 'email', value: 'maria.rossi@example.com' }),
      offset: expect.stringMatching(/^\d+$/),
    });

    const [record] = await recordsAt([receipt]);
    expect(String(record.message.key)).toBe(
      partitionKeyOf({ kind: 'email', value: 'maria.rossi@example.com' }),
    );
    expect(String(record.message.key)).not.toContain('maria');
    const headers = record.message.headers ?? {};
    expect(String(headers.ce_specversion)).toBe('1.0');
    expect(String(headers['content-type'])).toBe('application/json');

    const event = parsedFrom(record, 'binary');
    expect(event.identity).toEqual({ kind: 'email', value: 'maria.rossi@example.com' });
    expect(event.cloudEvent).toMatchObject({
      id: `mail-${run}`,
      source: 'adapters/email',
      type: 'touchpoint.recorded.v1',
      time: '2026-03-01T09:00:00.000Z',
      subject: 'order-1234',
    });
    expect(event.cloudEvent.data).toEqual({
      channel: 'email',
      direction: 'inbound',
      identity: { kind: 'email', value: 'maria.rossi@example.com' },
      content,
      metadata: { mailbox: 'support' },
    });
  });

  it('round-trips a survey answer in structured mode to touchpoints.survey', async () => {
    const receipt = await structured.publish({
      id: `nps-${run}`,
      type: 'survey.responded.v1',
      time: '2026-03-02T10:15:00+01:00',
      data: {
        identity: { kind: 'card', value: 'ab-1234 5678' },
        answer: { kind: 'nps', score: 9 },
        comment: 'Great staff',
      },
    });
    expect(receipt).toMatchObject({
      topic: 'touchpoints.survey',
      key: partitionKeyOf({ kind: 'card', value: 'AB12345678' }),
    });

    const [record] = await recordsAt([receipt]);
    expect(String(record.message.headers?.['content-type'])).toBe(
      'application/cloudevents+json; charset=utf-8',
    );
    const event = parsedFrom(record, 'structured');
    expect(event.identity).toEqual({ kind: 'card', value: 'AB12345678' });
    expect(event.occurredAt).toBe('2026-03-02T09:15:00.000Z');
    expect(event.cloudEvent).toMatchObject({
      id: `nps-${run}`,
      source: 'adapters/survey-tool',
      type: 'survey.responded.v1',
    });
    expect(event.cloudEvent.data).toEqual({
      identity: { kind: 'card', value: 'AB12345678' },
      answer: { kind: 'nps', score: 9 },
      comment: 'Great staff',
    });
  });

  it('keys by the normalised identity: two spellings of one e-mail share key and partition', async () => {
    const touchpoint = (id: string, value: string, channel: 'email' | 'chat'): TouchpointInput => ({
      id,
      time: new Date('2026-03-03T08:00:00Z'),
      data: { channel, direction: 'inbound', identity: { kind: 'email', value } },
    });
    const before = seen.produceRequests;
    const receipts = await binary.publishBatch([
      touchpoint(`a-${run}`, 'Maria.Rossi@Example.com', 'email'),
      touchpoint(`b-${run}`, 'someone.else@example.com', 'chat'),
      touchpoint(`c-${run}`, '  maria.rossi@EXAMPLE.COM', 'email'),
    ]);
    // Two topics, one broker: one Produce request for the whole batch.
    expect(seen.produceRequests - before).toBe(1);

    const [first, other, second] = receipts;
    expect(receipts.map((r) => r.id)).toEqual([`a-${run}`, `b-${run}`, `c-${run}`]);
    expect(first.key).toBe(partitionKeyOf({ kind: 'email', value: 'maria.rossi@example.com' }));
    expect(second.key).toBe(first.key);
    expect(second.partition).toBe(first.partition);
    expect(other.topic).toBe('touchpoints.chat');
    // Same partition, same batch: consecutive offsets in input order.
    expect(BigInt(second.offset as string)).toBe(BigInt(first.offset as string) + 1n);

    // The partition is murmur2 of the key, as the Java client would choose it.
    const javaCompatible = Partitioners.DefaultPartitioner();
    const partitionMetadata: PartitionMetadata[] = Array.from({ length: 8 }, (_, i) => ({
      partitionId: i,
      leader: 1,
      partitionErrorCode: 0,
      replicas: [1],
      isr: [1],
    }));
    const message: Message = { key: first.key, value: null };
    expect(first.partition).toBe(
      javaCompatible({ topic: first.topic, partitionMetadata, message }),
    );

    const records = await recordsAt(receipts);
    expect(records.map((r) => parsedFrom(r, 'binary').cloudEvent.id)).toEqual(
      receipts.map((r) => r.id),
    );
    expect(records.map((r) => String(r.message.key))).toEqual(receipts.map((r) => r.key));
  });

  it('publishes under the topic prefix of its bus URL', async () => {
    const prefix = `sdk-${run}.`;
    const definitions = loadTopicDefinitions()
      .filter((d) => d.topic === 'touchpoints.chat')
      .map((d) => ({ ...d, topic: `${prefix}${d.topic}` }));
    await ensureTopics(kafka, definitions);
    const publisher = new TouchpointPublisher({
      kafkaUrl: `${urls.kafka}?topicPrefix=${prefix}`,
      clientId: `adapter-sdk-test-${run}`,
      source: 'adapters/chat',
      now: () => now,
    });
    await publisher.connect();
    try {
      const receipt = await publisher.publish({
        id: `chat-${run}`,
        time: new Date('2026-03-04T08:00:00Z'),
        data: { channel: 'chat', direction: 'inbound', identity: { kind: 'chat', value: 'v-1' } },
      });
      expect(receipt.topic).toBe(`${prefix}touchpoints.chat`);
      const [record] = await recordsAt([receipt]);
      expect(parsedFrom(record, 'structured').cloudEvent.id).toBe(`chat-${run}`);
    } finally {
      await publisher.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: definitions.map((d) => d.topic) }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('fails with a PublishError naming the ids once disconnected', async () => {
    const publisher = new TouchpointPublisher({ kafka, clientId: 'x', source: 'adapters/email' });
    await publisher.connect();
    await publisher.disconnect();
    const attempt = publisher.publish({
      id: `late-${run}`,
      time: new Date('2026-03-03T08:00:00Z'),
      data: {
        channel: 'email',
        direction: 'inbound',
        identity: { kind: 'email', value: 'a@b.co' },
      },
    });
    await expect(attempt).rejects.toBeInstanceOf(PublishError);
    await expect(attempt).rejects.toMatchObject({ ids: [`late-${run}`] });
  });
});
