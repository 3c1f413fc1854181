import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { TouchpointIngestion } from '@rapport/application';
import { DLQ_HEADERS, kafkaFromUrl, removeTopics } from '@rapport/messaging';
import {
  VALID_EVENT_SAMPLES,
  describeWithServices,
  eventually,
  hostileInboundEvent,
  storeChokingOn,
} from '@rapport/testing';
import fc from 'fast-check';
import { type Consumer, type IHeaders, type Message, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { INGEST_BATCH_PATTERN } from './ingest-batch.pattern';
import { DlqHealth, KafkaTouchpointTransport } from './kafka-touchpoint-transport';

const STRUCTURED = { 'content-type': 'application/cloudevents+json; charset=UTF-8' };
const KEY = 'email:shared@example.com';

/**
 * Bad input against the real ingest path: a real broker, the Kafka transport, the
 * ingestion use case and a PostgreSQL log. One partition, one key: every message waits
 * for the one before it, so a message that stalls the partition stalls everything after.
 */
describeWithServices(
  ['kafka', 'postgres'],
  'Ingestor on bad input (real Kafka and PostgreSQL)',
  (urls) => {
    jest.setTimeout(240_000);
    const run = `badinput${Date.now().toString(36)}`;
    const schema = `bad_${run}`;
    const topic = `${run}.touchpoints.email`;
    const storeChokesOn = `${run}-store-chokes`;
    let store: EventStore;
    let transport: KafkaTouchpointTransport;
    let producer: Producer;
    let dlqReader: Consumer;
    const dead = new Map<
      string,
      { reasons: { path: string; message: string }[]; value: Buffer | null }
    >();
    const unexpected: string[] = [];
    const dlqHealth = new DlqHealth();

    beforeAll(async () => {
      store = await openEventStore(`${urls.postgres}?schema=${schema}`);
      const ingestion = new TouchpointIngestion(storeChokingOn(store, `"${storeChokesOn}"`), {
        now: () => new Date(),
        onUnexpectedError: (_, reference) => unexpected.push(reference),
      });
      transport = new KafkaTouchpointTransport({
        kafkaUrl: `${urls.kafka}?topicPrefix=${run}.`,
        groupId: `${run}-ingestor`,
        maxMessageBytes: 64 * 1024,
        dlqTimeoutMs: 5_000,
        health: dlqHealth,
      });
      transport.addHandler(INGEST_BATCH_PATTERN, ({ events }: { events: unknown[] }) =>
        ingestion.ingest(events, UNRESTRICTED_SCOPE),
      );
      await new Promise<void>((resolve, reject) => {
        void transport.listen((error?: unknown) => (error ? reject(error) : resolve()));
      });
      const kafka = kafkaFromUrl(urls.kafka, `${run}-test`);
      producer = kafka.producer();
      await producer.connect();
      dlqReader = kafka.consumer({ groupId: `${run}-dlq-reader` });
      await dlqReader.connect();
      await dlqReader.subscribe({ topic: `${run}.touchpoints.dlq`, fromBeginning: true });
      await dlqReader.run({
        eachMessage: async ({ message }) => {
          const headers = message.headers ?? {};
          dead.set(String(headers[DLQ_HEADERS.offset]), {
            reasons: JSON.parse(String(headers[DLQ_HEADERS.reasons])),
            value: message.value,
          });
        },
      });
    });

    afterAll(async () => {
      await dlqReader?.disconnect();
      await producer?.disconnect();
      await transport?.close();
      await store?.close();
      await removeTopics(kafkaFromUrl(urls.kafka, `${run}-admin`), run);
      const client = new Client({ connectionString: urls.postgres });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    });

    /** Sends the messages to partition 0 in one request; their offsets, in order. */
    async function publish(messages: Message[]): Promise<string[]> {
      const [meta] = await producer.send({
        topic,
        acks: -1,
        messages: messages.map((m) => ({ key: KEY, ...m, partition: 0 })),
      });
      const base = BigInt(meta.baseOffset as string);
      return messages.map((_, i) => String(base + BigInt(i)));
    }

    async function loggedIds(prefix: string): Promise<string[]> {
      return (await store.readAll())
        .map((e) => (e.metadata as { ce?: { id?: string } }).ce?.id ?? '')
        .filter((id) => id.startsWith(prefix));
    }

    it('ingests every valid message around poison of each class, in order, within seconds; the poison goes to the DLQ', async () => {
      const p = `${run}-stall-`;
      const valid = (n: number) => structured(touchpoint(`${p}${n}`));
      const poison: [string, Message][] = [
        ['no identity', structured(touchpoint(`${p}x1`, { identity: undefined }))],
        ['identity: []', structured(touchpoint(`${p}x2`, { identity: [] }))],
        ['identities: [[]]', structured(touchpoint(`${p}x3`, { identities: [[]] }))],
        ['survey without answer', structured(survey(`${p}x4`, undefined))],
        ['survey with answer: []', structured(survey(`${p}x5`, []))],
        [
          'a date that does not exist',
          structured(touchpoint(`${p}x6`, {}, '2026-02-30T10:00:00Z')),
        ],
        [
          'a lone surrogate',
          structured(
            touchpoint(`${p}x7`, { identity: { kind: 'email', value: 'a\ud800@example.com' } }),
          ),
        ],
        ['not JSON', { value: Buffer.from('{"specversion": "1.0", '), headers: STRUCTURED }],
        ['not a CloudEvent', { value: Buffer.from('{"hello": "world"}') }],
        [
          'binary mode without data',
          { value: null, headers: { ce_specversion: '1.0', ce_id: `${p}x10` } },
        ],
        [
          'larger than the limit',
          structured(touchpoint(`${p}x11`, { content: { text: 'x'.repeat(70_000) } })),
        ],
        [
          'same source and id as a stored event, other content',
          structured(touchpoint(`${p}0`, { direction: 'outbound' })),
        ],
        [
          'an event the store cannot take (an unexpected error)',
          structured(touchpoint(storeChokesOn)),
        ],
      ];
      const leapSecond = structured(touchpoint(`${p}leap`, {}, '2016-12-31T23:59:60Z'));

      const messages: Message[] = [valid(0)];
      poison.forEach(([, message], i) => messages.push(message, valid(i + 1)));
      messages.push(leapSecond);
      const started = Date.now();
      const offsets = await publish(messages);
      const expected = [
        ...Array.from({ length: poison.length + 1 }, (_, n) => `${p}${n}`),
        `${p}leap`,
      ];

      const logged = await eventually(
        () => loggedIds(p),
        (ids) => ids.length >= expected.length,
        60_000,
        100,
      );
      const poisonOffsets = poison.map((_, i) => offsets[1 + 2 * i]);
      await eventually(async () => poisonOffsets.every((o) => dead.has(o)), Boolean, 30_000, 100);
      const seconds = (Date.now() - started) / 1000;

      expect(logged).toEqual(expected); // each once, in the order published
      poison.forEach(([what], i) => {
        const letter = dead.get(poisonOffsets[i]);
        expect({ what, onDlq: letter !== undefined }).toEqual({ what, onDlq: true });
        expect(letter?.reasons.length).toBeGreaterThan(0);
        for (const reason of letter?.reasons ?? [])
          expect(reason.message).toEqual(expect.any(String));
      });
      // The DLQ keeps the original bytes, and holds nothing else of this test.
      expect(dead.get(poisonOffsets[7])?.value?.toString()).toBe('{"specversion": "1.0", ');
      expect(offsets.filter((o) => dead.has(o)).sort()).toEqual([...poisonOffsets].sort());
      expect(unexpected).toHaveLength(1); // the store that choked, logged under its reference
      expect(transport.consumerRestarts).toBe(0);
      expect(seconds).toBeLessThan(30);
    });

    it('fuzz: hostile variants of every event type between valid ones; no stall, nothing lost, every refusal on the DLQ with a reason', async () => {
      let round = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.oneof(
              { weight: 9, arbitrary: hostileInboundEvent('?').map(json) },
              { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
            ),
            { minLength: 10, maxLength: 40 },
          ),
          async (hostile) => {
            round += 1;
            const p = `${run}-fuzz${round}-`;
            const before = { ...transport.counters };
            const unexpectedBefore = unexpected.length;
            const messages: Message[] = [];
            hostile.forEach((value, i) => {
              // Unique ids, unless the variant broke its id on purpose.
              const text = value.toString('utf8').replace('"id":"?"', `"id":"${p}h${i}"`);
              messages.push({ value: Buffer.from(text), headers: STRUCTURED });
              messages.push(structured(touchpoint(`${p}${i}`)));
            });
            const offsets = await publish(messages);
            const validIds = hostile.map((_, i) => `${p}${i}`);
            const hostileOffsets = offsets.filter((_, i) => i % 2 === 0);
            const settled = () => {
              const c = transport.counters;
              return (
                c.ingested +
                c.duplicates +
                c.deadLettered -
                (before.ingested + before.duplicates + before.deadLettered)
              );
            };
            await eventually(
              async () => settled(),
              (n) => n >= messages.length,
              60_000,
              100,
            );
            const logged = (await loggedIds(p)).filter((id) => !id.startsWith(`${p}h`));
            expect(logged).toEqual(validIds); // every valid neighbour, once, in order
            const deadHere = hostileOffsets.filter((o) => dead.has(o));
            const deadLettered = transport.counters.deadLettered - before.deadLettered;
            await eventually(
              async () => hostileOffsets.filter((o) => dead.has(o)).length,
              (n) => n >= deadLettered,
              30_000,
              100,
            );
            for (const o of hostileOffsets.filter((x) => dead.has(x)))
              expect(dead.get(o)?.reasons.length).toBeGreaterThan(0);
            expect(offsets.filter((o, i) => i % 2 === 1 && dead.has(o))).toEqual([]);
            expect(deadHere.length).toBeLessThanOrEqual(hostile.length);
            expect(settled()).toBe(messages.length); // each message settled exactly once
            expect(unexpected.length - unexpectedBefore).toBe(0); // no bug met
            expect(transport.consumerRestarts).toBe(0);
          },
        ),
        { numRuns: 4, endOnFailure: true },
      );
    });

    // Last: it breaks the DLQ topic for a while.
    it('keeps a poison message unresolved while the DLQ cannot be written, says so on /health, and delivers it once the DLQ is back', async () => {
      const p = `${run}-dlqdown-`;
      const admin = kafkaFromUrl(urls.kafka, `${run}-dlq-admin`).admin();
      await admin.connect();
      const dlqTopic = `${run}.touchpoints.dlq`;
      const setMaxBytes = (bytes: number) =>
        admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: 2,
              name: dlqTopic,
              configEntries: [{ name: 'max.message.bytes', value: String(bytes) }],
            },
          ],
        });
      try {
        // The broker now refuses every dead letter larger than 1 KiB: a real write failure.
        await setMaxBytes(1024);
        const poison = { value: Buffer.from(`not json ${'x'.repeat(4096)}`), headers: STRUCTURED };
        const offsets = await publish([poison, structured(touchpoint(`${p}after`))]);
        await eventually(
          async () => dlqHealth.status().status,
          (s) => s === 'failing',
          30_000,
          100,
        );
        expect(dlqHealth.status()).toMatchObject({ status: 'failing', error: expect.any(String) });
        // Nothing past the poison is committed while its dead letter is not written.
        const committed = async () =>
          (
            await admin.fetchOffsets({ groupId: `${run}-ingestor`, topics: [topic] })
          )[0].partitions.find((x) => x.partition === 0)?.offset ?? '-1';
        expect(BigInt(await committed())).toBeLessThanOrEqual(BigInt(offsets[0]));
        expect(dead.has(offsets[0])).toBe(false);

        await setMaxBytes(1024 * 1024);
        await eventually(async () => dead.has(offsets[0]), Boolean, 90_000, 200);
        await eventually(
          async () => dlqHealth.status().status,
          (s) => s === 'ok',
          10_000,
          100,
        );
        expect(await loggedIds(p)).toEqual([`${p}after`]);
        await eventually(committed, (o) => BigInt(o) > BigInt(offsets[1]), 30_000, 200);
        expect(BigInt(await committed())).toBeGreaterThan(BigInt(offsets[1]));
      } finally {
        await setMaxBytes(1024 * 1024).catch(() => undefined);
        await admin.disconnect();
      }
    });
  },
);

function touchpoint(id: string, data: Record<string, unknown> = {}, time = '2026-03-01T09:00:00Z') {
  const sample = VALID_EVENT_SAMPLES['touchpoint.recorded.v1'](id);
  const merged: Record<string, unknown> = { ...(sample.data as object), ...data };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return { ...sample, time, data: merged };
}

function survey(id: string, answer: unknown) {
  const sample = VALID_EVENT_SAMPLES['survey.responded.v1'](id);
  const data = { ...(sample.data as Record<string, unknown>), answer };
  if (answer === undefined) delete data.answer;
  return { ...sample, data };
}

function json(event: unknown): Buffer {
  return Buffer.from(JSON.stringify(event));
}

function structured(event: unknown, headers: IHeaders = STRUCTURED): Message {
  return { value: json(event), headers };
}
