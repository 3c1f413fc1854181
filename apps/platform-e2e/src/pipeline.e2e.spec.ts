import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TouchpointPublisher } from '@rapport/adapter-sdk';
import { kafkaFromUrl } from '@rapport/messaging';
import {
  openDeadLetter,
  openPersonalData,
  type PrivacySettings,
  privacySettingsFrom,
  SEALED_FOR_HEADER,
} from '@rapport/privacy';
import {
  cleanRebuildDump,
  liveModelsAt,
  readModelDump,
  unlinkKeysStartingWith,
} from '@rapport/read-models/internals';
import {
  describeWithServices,
  eventually,
  httpJson,
  type RunningProcess,
  type ServiceUrls,
  startService,
  openPlatformEventStore,
  testRedis,
} from '@rapport/testing';
import { Client } from 'pg';
import { ensureE2eTopics, type E2eTopics, e2eTopics, removeE2eTopics } from './e2e-topics';
import { e2eWorkload, identityOf } from './workload';
import { e2eAccess } from './e2e-access';

interface Health {
  log?: { head: number };
  projections: { position: number; caughtUp: boolean; resumes: number }[];
  readModel?: { timelineCheckpoint: number };
}
interface TimelineBody {
  items: { excerpt?: string; eventId: string; occurredAt: string }[];
  nextCursor: string | null;
}

type LogKind = 'sqlite' | 'postgres';

/** The same end-to-end suite, once per kind of event log. */
const pipelineSuite =
  (log: LogKind) =>
  (urls: ServiceUrls): void => {
    jest.setTimeout(600_000);
    const run = `e2e${log}${Date.now().toString(36)}`;
    const topics: E2eTopics = e2eTopics(`${run}.`);
    const prefix = `rapport:${run}:`;
    const eventStoreUrl =
      log === 'sqlite'
        ? `sqlite:${join(mkdtempSync(join(tmpdir(), 'rapport-e2e-')), 'log.db')}`
        : `${urls.postgres}?schema=${run}`;
    const env: Record<string, string> = {
      RAPPORT_BUS: `${urls.kafka}?topicPrefix=${topics.prefix}`,
      RAPPORT_EVENT_STORE: eventStoreUrl,
      RAPPORT_READ_MODELS: `${urls.redis}/0?prefix=${prefix}`,
    };
    let access: Awaited<ReturnType<typeof e2eAccess>>;
    const redis = testRedis(urls.redis);
    let ingestor: RunningProcess;
    let projector: RunningProcess;
    let queryApi: RunningProcess;
    let publisher: TouchpointPublisher;
    let binaryPublisher: TouchpointPublisher;

    beforeAll(async () => {
      await ensureE2eTopics(urls.kafka, topics);
      access = await e2eAccess(env.RAPPORT_READ_MODELS);
      Object.assign(env, access.env);
      [ingestor, projector, queryApi] = await Promise.all([
        startService('ingestor', env),
        startService('projector', env),
        startService('query-api', env),
      ]);
      publisher = new TouchpointPublisher({
        kafkaUrl: urls.kafka,
        topicPrefix: topics.prefix,
        clientId: `${run}-adapter`,
        source: 'e2e/adapter',
      });
      // The same adapter (same source) in the other content mode, for the redeliveries.
      binaryPublisher = new TouchpointPublisher({
        kafkaUrl: urls.kafka,
        topicPrefix: topics.prefix,
        clientId: `${run}-adapter-binary`,
        source: 'e2e/adapter',
        mode: 'binary',
      });
      await Promise.all([publisher.connect(), binaryPublisher.connect()]);
    });

    afterAll(async () => {
      await Promise.all([publisher?.disconnect(), binaryPublisher?.disconnect()]);
      await Promise.all([ingestor?.stop(), projector?.stop(), queryApi?.stop()]);
      await unlinkKeysStartingWith(redis, prefix);
      redis.disconnect();
      await removeE2eTopics(urls.kafka, topics);
      if (log === 'postgres') await dropSchema(urls.postgres, run);
    });

    const health = async (service: RunningProcess) =>
      (await httpJson<Health>(`${service.url}/health`)).body;

    it('delivers 10,000 touchpoints, each published twice, into the right timelines in order and once — through a projector SIGKILLed halfway — and Redis equals a clean rebuild key for key', async () => {
      const total = 10_000;
      const people = 1_000;
      const workload = e2eWorkload(run, total, people);
      const publishTwice = async (from: number, to: number) => {
        for (let i = from; i < to; i += 1000) {
          const chunk = workload.slice(i, Math.min(i + 1000, to));
          await publisher.publishBatch(chunk); // structured mode, the SDK's default
          // A redelivery of every message, in binary mode: the same log event all the same.
          await binaryPublisher.publishBatch(chunk);
        }
      };

      await publishTwice(0, total / 2);
      // Let the projector get going, then kill it without any shutdown.
      await eventually(
        () => health(projector),
        (h) => h.projections[0]?.position > 1000,
        60_000,
      );
      await projector.kill();
      await publishTwice(total / 2, total);
      projector = await startService('projector', env);

      // Identity resolution appends one identity.linked per new identity (its customer starts).
      const head = total + people;
      const final = await eventually(
        async () => [await health(ingestor), await health(projector)] as const,
        ([i, p]) => i.log?.head === head && p.projections[0]?.position === head,
        180_000,
        250,
      );
      expect(final[0].log?.head).toBe(head); // every message once in the log, however often it was sent
      expect(final[1].projections[0].position).toBe(head);

      // Every timeline, read through the query API: the right events, newest first, once.
      const expected = new Map<number, string[]>();
      workload.forEach((_touchpoint, n) => {
        const person = n % people;
        expected.set(person, [`touchpoint ${n}`, ...(expected.get(person) ?? [])]);
      });
      const mismatches: string[] = [];
      const check = async (person: number) => {
        const found = await httpJson<{ customerId: string }>(
          `${queryApi.url}/v1/customers?identity=${encodeURIComponent(identityOf(run, person))}`,
          { headers: access.staff },
        );
        const timeline = await httpJson<TimelineBody>(
          `${queryApi.url}/v1/customers/${found.body.customerId}/timeline?limit=500`,
          { headers: access.staff },
        );
        const got = timeline.body.items.map((e) => e.excerpt ?? '');
        if (JSON.stringify(got) !== JSON.stringify(expected.get(person)))
          mismatches.push(`person ${person}: ${got.length} entries`);
      };
      for (let p = 0; p < people; p += 20)
        await Promise.all(Array.from({ length: 20 }, (_, i) => check(p + i)));
      expect(mismatches).toEqual([]);

      // The query API describes itself.
      const openapi = await httpJson<{ paths: Record<string, unknown> }>(
        `${queryApi.url}/docs/openapi.json`,
      );
      expect(Object.keys(openapi.body.paths)).toEqual(
        expect.arrayContaining(['/v1/customers', '/v1/customers/{id}/timeline']),
      );

      // A clean rebuild from the log into another prefix equals the live model, key for key.
      const store = await openPlatformEventStore(eventStoreUrl);
      await liveModelsAt(redis, prefix, await store.headPosition());
      const clean = await cleanRebuildDump(store, redis, prefix);
      await store.close();
      const live = await readModelDump(redis, prefix);
      expect(Object.keys(live).length).toBeGreaterThan(people);
      expect(live).toEqual(clean);
    });

    it('sends poison messages to the DLQ with a reason and ingests the valid messages around them', async () => {
      const kafka = kafkaFromUrl(urls.kafka, `${run}-poison`);
      const producer = kafka.producer();
      await producer.connect();
      const valid = (n: number) => ({
        specversion: '1.0',
        id: `poison-neighbour-${n}`,
        source: 'e2e/raw',
        type: 'touchpoint.recorded.v1',
        time: '2026-02-01T10:00:00Z',
        data: {
          channel: 'email',
          direction: 'inbound',
          identity: { kind: 'email', value: `neighbour-${n}@${run}.example` },
        },
      });
      const structured = (value: string | Buffer) => ({
        key: 'poison',
        value,
        headers: { 'content-type': 'application/cloudevents+json' },
      });
      const poison = [
        structured('{"specversion": "1.0", "id": '), // invalid JSON
        structured(
          JSON.stringify({ ...valid(0), id: 'poison-type', type: 'touchpoint.exploded.v9' }),
        ), // unknown type
        structured(
          JSON.stringify({
            ...valid(0),
            id: 'poison-field',
            data: { ...valid(0).data, direction: 42 },
          }),
        ), // wrong type
        structured(
          JSON.stringify({
            ...valid(0),
            id: 'poison-big',
            data: { ...valid(0).data, content: { text: 'x'.repeat(5 * 1024 * 1024) } },
          }),
        ), // 5 MB
      ];
      await producer.send({
        topic: topics.touchpoint('email'),
        acks: -1,
        messages: [
          structured(JSON.stringify(valid(1))),
          ...poison,
          structured(JSON.stringify(valid(2))),
        ],
      });
      await producer.disconnect();

      const dead = await topicsMessages(urls.kafka, topics.dlq, poison.length, 60_000);
      expect(dead).toHaveLength(poison.length);
      const expectedReasons = [/JSON/i, /type/, /data\.direction/, /bytes/];
      // A dead letter that names a person is sealed with their data key (an erasure reaches
      // the DLQ too): opened with the platform's keys it is the message as refused.
      const personalData = await openPersonalData(
        privacySettingsFrom(process.env) as PrivacySettings,
        eventStoreUrl,
      );
      for (const [i, message] of dead.entries()) {
        const named = i > 0; // all but the invalid JSON carry a readable identity
        if (named) expect(message.value?.toString('latin1')).not.toContain(`neighbour-0@${run}`);
        else expect(message.value?.equals(Buffer.from(poison[i].value))).toBe(true);
        expect(message.headers?.[SEALED_FOR_HEADER] !== undefined).toBe(named);
        const opened = await openDeadLetter(message, personalData.keys);
        expect(opened !== 'erased' && opened.value?.equals(Buffer.from(poison[i].value))).toBe(
          true,
        );
        const reasons = message.headers?.rapport_dlq_reasons?.toString() ?? '';
        expect(JSON.parse(reasons)).toEqual(
          expect.arrayContaining([expect.objectContaining({ message: expect.any(String) })]),
        );
        expect(reasons).toMatch(expectedReasons[i]);
      }
      await personalData.close();
      for (const n of [1, 2]) {
        const found = await eventually(
          () =>
            httpJson<{ customerId?: string }>(
              `${queryApi.url}/v1/customers?identity=email:neighbour-${n}@${run}.example`,
              { headers: access.staff },
            ),
          (r) => r.status === 200,
          30_000,
        );
        expect(found.status).toBe(200);
      }
    });

    /** Reads `count` messages of a topic from its beginning. */
    async function topicsMessages(
      kafkaUrl: string,
      topic: string,
      count: number,
      timeoutMs: number,
    ) {
      const kafka = kafkaFromUrl(kafkaUrl, `${run}-reader`);
      const consumer = kafka.consumer({ groupId: `${run}-reader-${topic}` });
      const seen: { value: Buffer | null; headers?: Record<string, Buffer | undefined> }[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          seen.push({
            value: message.value,
            headers: message.headers as Record<string, Buffer | undefined>,
          });
        },
      });
      await eventually(
        async () => seen.length,
        (n) => n >= count,
        timeoutMs,
      );
      await consumer.disconnect();
      return seen;
    }
  };

/** Drops the schema a PostgreSQL-backed run used. */
async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

describeWithServices(
  ['kafka', 'redis'],
  'production path on a SQLite log: Kafka → ingestor → log → projector → Redis → query-api',
  pipelineSuite('sqlite'),
);

describeWithServices(
  ['kafka', 'redis', 'postgres'],
  'production path on a PostgreSQL log: Kafka → ingestor → log → projector → Redis → query-api',
  pipelineSuite('postgres'),
);
