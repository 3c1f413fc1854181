import { randomUUID } from 'node:crypto';
import { describeWithServices } from '@rapport/testing';
import { ConfigResourceTypes, type Kafka, Partitioners, type Producer } from 'kafkajs';
import { DLQ_HEADERS, decodeKafkaMessage, dlqMessage } from '../cloudevents/kafka-binding';
import { DLQ_TOPIC } from '../topics';
import { ensureTopics } from './ensure-topics';
import { fetchRecordsAt } from './fetch-records';
import { kafkaFromUrl } from './kafka-config';
import { loadTopicDefinitions } from './topic-definitions';

jest.setTimeout(60_000);

describeWithServices(['kafka'], 'messaging on a real Kafka', (urls) => {
  let kafka: Kafka;
  let producer: Producer;
  const run = randomUUID().slice(0, 8);
  const testTopics: string[] = [];

  beforeAll(async () => {
    kafka = kafkaFromUrl(urls.kafka, `messaging-test-${run}`);
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    if (testTopics.length > 0) {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: testTopics }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  describe('ensureTopics', () => {
    it('creates missing topics with their partitions and configs, and nothing the second time', async () => {
      const definitions = [
        { topic: `rapport-test-${run}.a`, partitions: 3, configs: { 'retention.ms': '3600000' } },
        { topic: `rapport-test-${run}.b`, partitions: 1 },
      ];
      testTopics.push(...definitions.map((d) => d.topic));

      const first = await ensureTopics(kafka, definitions);
      expect(first).toEqual({ created: testTopics, existing: [], partitionMismatches: [] });

      const second = await ensureTopics(kafka, definitions);
      expect(second).toEqual({ created: [], existing: testTopics, partitionMismatches: [] });

      const admin = kafka.admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: testTopics });
        const partitions = Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]));
        expect(partitions).toEqual({ [testTopics[0]]: 3, [testTopics[1]]: 1 });
        const described = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: testTopics[0],
              configNames: ['retention.ms'],
            },
          ],
        });
        expect(described.resources[0].configEntries[0]).toMatchObject({
          configName: 'retention.ms',
          configValue: '3600000',
        });
      } finally {
        await admin.disconnect();
      }
    });

    it('reports an existing topic whose partition count differs, without changing it', async () => {
      const topic = `rapport-test-${run}.c`;
      testTopics.push(topic);
      await ensureTopics(kafka, [{ topic, partitions: 2 }]);
      const result = await ensureTopics(kafka, [{ topic, partitions: 4 }]);
      expect(result.partitionMismatches).toEqual([{ topic, expected: 4, actual: 2 }]);
    });

    it('creates the repository topics (infra/kafka/topics.json) idempotently', async () => {
      const definitions = loadTopicDefinitions();
      await ensureTopics(kafka, definitions);
      const again = await ensureTopics(kafka, definitions);
      expect(again.created).toEqual([]);
      expect(again.existing).toHaveLength(definitions.length);
    });
  });

  it('dead-letters an undecodable record with its original bytes and headers', async () => {
    const source = `rapport-test-${run}.in`;
    testTopics.push(source);
    await ensureTopics(kafka, [...loadTopicDefinitions(), { topic: source, partitions: 1 }]);
    const original = {
      key: 'email:ann@example.com',
      value: Buffer.from([0x7b, 0xff, 0x00, 0x22]),
      headers: { ce_specversion: '1.0', ce_id: `bad-${run}`, traceparent: '00-abc-01' },
    };
    const [sent] = await producer.send({ topic: source, messages: [original] });
    const [consumed] = await fetchRecordsAt(kafka, [
      { topic: source, partition: sent.partition, offset: sent.baseOffset as string },
    ]);

    const decoded = decodeKafkaMessage(consumed.message);
    expect(decoded).toEqual({
      ok: false,
      reason: expect.stringMatching(/^binary-mode value is not valid JSON/),
    });
    const reason = decoded.ok ? '' : decoded.reason;
    const now = new Date('2026-03-10T12:00:00Z');
    const [dead] = await producer.send({
      topic: DLQ_TOPIC,
      messages: [
        dlqMessage(
          {
            ...consumed,
            key: consumed.message.key,
            value: consumed.message.value,
            headers: consumed.message.headers,
          },
          reason,
          now,
        ),
      ],
    });

    const [letter] = await fetchRecordsAt(kafka, [
      { topic: DLQ_TOPIC, partition: dead.partition, offset: dead.baseOffset as string },
    ]);
    const headers = letter.message.headers ?? {};
    const text = (name: string) => String(headers[name]);
    expect(Buffer.compare(letter.message.value as Buffer, original.value)).toBe(0);
    expect(String(letter.message.key)).toBe(original.key);
    expect([text('ce_specversion'), text('ce_id'), text('traceparent')]).toEqual([
      '1.0',
      `bad-${run}`,
      '00-abc-01',
    ]);
    expect(JSON.parse(text(DLQ_HEADERS.reasons))).toEqual([{ path: '(message)', message: reason }]);
    expect(text(DLQ_HEADERS.topic)).toBe(source);
    expect(text(DLQ_HEADERS.partition)).toBe(String(sent.partition));
    expect(text(DLQ_HEADERS.offset)).toBe(sent.baseOffset);
    expect(text(DLQ_HEADERS.at)).toBe('2026-03-10T12:00:00.000Z');
  });
});
