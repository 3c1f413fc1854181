import { TouchpointPublisher } from '@rapport/adapter-sdk';
import { openEventStore } from '@rapport/event-store';
import { kafkaFromUrl } from '@rapport/messaging';
import { unlinkKeysStartingWith } from '@rapport/read-models/internals';
import {
  describeWithServices,
  eventually,
  familyNamesOf,
  promtoolProblems,
  type RunningProcess,
  type Sample,
  sampleValue,
  samplesOf,
  startService,
  testRedis,
} from '@rapport/testing';
import { Client } from 'pg';
import { validateMetricName } from 'prom-client';
import { e2eAccess } from './e2e-access';
import { ensureE2eTopics, e2eTopics, removeE2eTopics } from './e2e-topics';
import { e2eWorkload } from './workload';

/**
 * How a service ends after a clean shutdown: Nest closes the app, then raises the signal
 * again (exit 143 to a supervisor); the shutdown deadline would exit with status 1 instead.
 */
const GRACEFUL = { code: null, signal: 'SIGTERM' };

const exitOf = (service: RunningProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    service.child.once('exit', (code, signal) => resolve({ code, signal })),
  );

const TOKEN = `e2e-scrape-token-${Date.now().toString(36)}-0123456789`;

/**
 * Operations on the real services (Kafka, Redis, PostgreSQL): `/metrics` counts a known
 * workload exactly and every name is valid; readiness follows what each service can do; on
 * SIGTERM the projector hands its leases to the standby at once and the ingestor drains.
 */
describeWithServices(
  ['kafka', 'redis', 'postgres'],
  'operations: metrics, probes, shutdown',
  (urls) => {
    jest.setTimeout(300_000);
    const run = `ops${Date.now().toString(36)}`;
    const topics = e2eTopics(`${run}.`);
    const prefix = `rapport:${run}:`;
    const env: Record<string, string> = {
      RAPPORT_BUS: `${urls.kafka}?topicPrefix=${topics.prefix}`,
      RAPPORT_EVENT_STORE: `${urls.postgres}?schema=${run}`,
      RAPPORT_READ_MODELS: `${urls.redis}/0?prefix=${prefix}`,
      RAPPORT_METRICS_TOKEN: TOKEN,
      // A consumer group of its own: ingestors of other suites on the same broker must not
      // be assigned this run's partitions.
      RAPPORT_INGESTOR_GROUP: `${run}-ingestor`,
    };
    const redis = testRedis(urls.redis);
    let ingestor: RunningProcess;
    let projector: RunningProcess;
    let standby: RunningProcess;
    let queryApi: RunningProcess;
    let publisher: TouchpointPublisher;

    const scrape = async (service: RunningProcess): Promise<Sample[]> =>
      samplesOf(await exposition(service));
    const exposition = async (service: RunningProcess): Promise<string> => {
      const res = await fetch(`${service.url}/metrics`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status).toBe(200);
      return res.text();
    };
    const ready = async (service: RunningProcess) =>
      (await fetch(`${service.url}/health/ready`)).status;

    beforeAll(async () => {
      await ensureE2eTopics(urls.kafka, topics);
      Object.assign(env, (await e2eAccess(env.RAPPORT_READ_MODELS)).env);
      [ingestor, projector, queryApi] = await Promise.all([
        startService('ingestor', env),
        startService('projector', env),
        startService('query-api', env),
      ]);
      await eventually(
        () => ready(projector),
        (s) => s === 200,
        30_000,
      );
      standby = await startService('projector', env);
      publisher = new TouchpointPublisher({
        kafkaUrl: urls.kafka,
        topicPrefix: topics.prefix,
        clientId: `${run}-adapter`,
        source: 'e2e/ops',
      });
      await publisher.connect();
    });

    afterAll(async () => {
      await publisher?.disconnect();
      await Promise.all([ingestor?.stop(), projector?.stop(), standby?.stop(), queryApi?.stop()]);
      await unlinkKeysStartingWith(redis, prefix);
      redis.disconnect();
      await removeE2eTopics(urls.kafka, topics);
      const pg = new Client({ connectionString: urls.postgres });
      await pg.connect();
      await pg.query(`DROP SCHEMA IF EXISTS "${run}" CASCADE`);
      await pg.end();
    });

    it('is ready where it can work: every service, but not the standby projector', async () => {
      for (const service of [ingestor, projector, queryApi])
        expect(
          await eventually(
            () => ready(service),
            (s) => s === 200,
            30_000,
          ),
        ).toBe(200);
      const res = await fetch(`${standby.url}/health/ready`);
      expect(res.status).toBe(503);
      expect(JSON.stringify(await res.json())).toMatch(/standing by/);
      for (const service of [ingestor, projector, standby, queryApi]) {
        expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
        expect((await fetch(`${service.url}/health`)).status).toBe(200); // as before
        expect((await fetch(`${service.url}/metrics`)).status).toBe(401); // not without the token
      }
    });

    it('counts exactly N valid, M duplicates and K poison messages; lag falls back to 0; every name is valid', async () => {
      const [N, M, K] = [60, 15, 5];
      const before = await scrape(ingestor);
      const workload = e2eWorkload(run, N, 20);
      await publisher.publishBatch(workload);
      await publisher.publishBatch(workload.slice(0, M)); // redeliveries: duplicates
      const kafka = kafkaFromUrl(urls.kafka, `${run}-poison`);
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: `${topics.prefix}touchpoints.email`,
        messages: Array.from({ length: K }, (_, i) => ({
          key: `poison-${i}`,
          value: i % 2 ? '{"specversion": "1.0", "id": ' : JSON.stringify({ hello: i }),
          headers: { 'content-type': 'application/cloudevents+json' },
        })),
      });
      await producer.disconnect();

      const kafkaTotal = (samples: Sample[], outcome: string) =>
        sampleValue(samples, 'rapport_ingest_touchpoints_total', { transport: 'kafka', outcome });
      const delta = (after: Sample[], name: string, labels: Record<string, string> = {}) =>
        sampleValue(after, name, labels) - sampleValue(before, name, labels);
      const after = await eventually(
        () => scrape(ingestor),
        (s) =>
          kafkaTotal(s, 'accepted') - kafkaTotal(before, 'accepted') >= N &&
          kafkaTotal(s, 'refused') - kafkaTotal(before, 'refused') >= K &&
          kafkaTotal(s, 'duplicate') - kafkaTotal(before, 'duplicate') >= M &&
          // dead letters are counted once written, after their refusal
          sampleValue(s, 'rapport_ingest_dlq_messages_total') -
            sampleValue(before, 'rapport_ingest_dlq_messages_total') >=
            K,
        60_000,
        250,
      );
      expect(kafkaTotal(after, 'accepted') - kafkaTotal(before, 'accepted')).toBe(N);
      expect(kafkaTotal(after, 'duplicate') - kafkaTotal(before, 'duplicate')).toBe(M);
      expect(kafkaTotal(after, 'refused') - kafkaTotal(before, 'refused')).toBe(K);
      expect(delta(after, 'rapport_ingest_refused_total', { channel: 'email' })).toBe(K);
      expect(delta(after, 'rapport_ingest_dlq_messages_total', { channel: 'email' })).toBe(K);
      expect(delta(after, 'rapport_event_store_appended_events_total', { store: 'postgres' })).toBe(
        N + M, // duplicates reach the append, which finds them in the log
      );

      // The group commits, and every partition's lag falls back to 0.
      const lagged = await eventually(
        () => scrape(ingestor),
        (s) =>
          s.some((x) => x.name === 'rapport_kafka_consumer_lag') &&
          sampleValue(s, 'rapport_kafka_consumer_lag') === 0,
        30_000,
        250,
      );
      expect(sampleValue(lagged, 'rapport_kafka_consumer_lag')).toBe(0);
      expect(lagged.filter((s) => s.name === 'rapport_kafka_consumer_lag').length).toBeGreaterThan(
        7, // per partition: 7 channel topics × 8 partitions when one ingestor holds them all
      );

      // The projector catches up: lag 0 in events and seconds for each projection it writes.
      const caughtUp = await eventually(
        () => scrape(projector),
        (s) =>
          s.some((x) => x.name === 'rapport_projection_lag_events') &&
          s
            .filter((x) => x.name.startsWith('rapport_projection_lag_'))
            .every((x) => x.value === 0) &&
          sampleValue(s, 'rapport_projection_position', { projection: 'timeline' }) ===
            sampleValue(s, 'rapport_event_store_head_position'),
        60_000,
        250,
      );
      const projections = caughtUp
        .filter((s) => s.name === 'rapport_projection_lag_seconds')
        .map((s) => s.labels.projection);
      expect(projections).toEqual(expect.arrayContaining(['timeline', 'closeness', 'ideas']));
      expect(sampleValue(caughtUp, 'rapport_identity_decisions_total')).toBeGreaterThan(0);
      expect(
        sampleValue(caughtUp, 'rapport_projection_events_total', { projection: 'timeline' }),
      ).toBeGreaterThanOrEqual(N);
      const standbyView = await scrape(standby);
      expect(sampleValue(standbyView, 'rapport_projection_active')).toBe(0);

      // Every name of every service is a valid Prometheus name (and passes promtool, if here).
      for (const service of [ingestor, projector, standby, queryApi]) {
        const text = await exposition(service);
        const names = familyNamesOf(text);
        expect(names.length).toBeGreaterThan(20);
        expect(names.filter((n) => !validateMetricName(n))).toEqual([]);
        expect(promtoolProblems(text) ?? []).toEqual([]);
        // No identity, id or free text in a label value.
        expect(text).not.toMatch(/@|person\.|touchpoint \d/i);
      }
    });

    it('logs JSON lines that never name a person or repeat a message', () => {
      for (const service of [ingestor, projector, standby, queryApi]) {
        const listening = service.output.find((line) => line.includes('listening on'));
        expect(JSON.parse(listening ?? '{}')).toMatchObject({
          level: 'info',
          service: expect.stringMatching(/^(ingestor|projector|query-api)$/),
          msg: expect.stringContaining('listening on'),
        });
        const text = service.output.join('\n').toLowerCase();
        expect(text).not.toContain(`@${run}.example`);
        expect(text).not.toMatch(/touchpoint \d/);
      }
    });

    it('hands the leases to the standby within a second of a SIGTERM, and exits cleanly', async () => {
      const terminated = Date.now();
      const exited = exitOf(projector);
      projector.child.kill('SIGTERM');
      await eventually(
        () => ready(standby),
        (s) => s === 200,
        10_000,
        20,
      );
      const takeoverMs = Date.now() - terminated;
      expect(takeoverMs).toBeLessThan(1000);
      expect(await exited).toEqual(GRACEFUL);
      [projector, standby] = [standby, projector];
    });

    it('drains the ingestor on SIGTERM under load: restarted, nothing lost or duplicated', async () => {
      const count = 3000;
      const load = e2eWorkload(`${run}-load`, count, 100);
      const sending = publisher.publishBatch(load);
      const store = await openEventStore(env.RAPPORT_EVENT_STORE);
      try {
        const headBefore = await store.headPosition();
        await eventually(
          () => store.headPosition(),
          (h) => h > headBefore,
          30_000,
          20,
        );
        const exited = exitOf(ingestor);
        const terminated = Date.now();
        ingestor.child.kill('SIGTERM');
        expect(await exited).toEqual(GRACEFUL);
        expect(Date.now() - terminated).toBeLessThan(10_000);
        await sending;
        ingestor = await startService('ingestor', env);
        const ids = async () => {
          const seen: string[] = [];
          for (let after = 0; ;) {
            const events = await store.readAll({ after, maxCount: 1000 });
            if (events.length === 0) return seen;
            for (const e of events) {
              const ce = (e.metadata as { ce?: { id?: string } }).ce;
              if (ce?.id?.startsWith(`${run}-load-`)) seen.push(ce.id);
            }
            after = events[events.length - 1].position;
          }
        };
        const stored = await eventually(ids, (s) => s.length >= count, 60_000, 500);
        expect(stored.length).toBe(count);
        expect(new Set(stored).size).toBe(count);
      } finally {
        await store.close();
      }
    });
  },
);
