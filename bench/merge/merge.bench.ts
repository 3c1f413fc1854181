import { UNRESTRICTED_SCOPE } from '@rapport/domain';
/**
 * `npm run bench:merge`: a staff merge of two customers with 10,000 touchpoints each, from
 * `POST /v1/customers/:id/merge` (ingestor process) until the survivor's timeline, read
 * from Redis through the query API (its own process), shows the merged customer's
 * touchpoints — with the projector (identity resolution and the timeline projection) as a
 * third process. The log is SQLite by default (`BENCH_EVENT_STORE=postgres://…` for
 * PostgreSQL); the touchpoints are ingested in process beforehand (not timed).
 *
 * Baseline, in the same run: reading the merged 20,000-entry timeline through the same
 * query API, in pages of 500 (the largest page), printed as the merge time's ratio to it.
 *
 * BENCH_TOUCHPOINTS (default 10000) per customer; BENCH_RUNS (default 5) merges, each
 * after an unmerge of the previous one; the last line reports the median.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { customerIdFor, type Channel, type ChannelIdentity } from '@rapport/domain';
import { openEventStore } from '@rapport/event-store';
import { TouchpointIngestion } from '@rapport/application';
import { kafkaFromUrl, provisionTopics, removeTopics } from '@rapport/messaging';
import {
  ensureTestPrivacyEnv,
  eventually,
  obtainService,
  type RunningProcess,
  startService,
} from '@rapport/testing';
import Redis from 'ioredis';

const N = Number(process.env.BENCH_TOUCHPOINTS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CHANNELS: Channel[] = ['email', 'chat', 'phone', 'in_person'];
const ANN: ChannelIdentity = { kind: 'email', value: 'ann@bench.example' };
const ANN_PHONE: ChannelIdentity = { kind: 'phone', value: '+4930555000' };

async function seed(storeUrl: string): Promise<number> {
  const store = await openEventStore(storeUrl);
  const ingestion = new TouchpointIngestion(store, { now: () => new Date() });
  const start = Date.UTC(2026, 0, 1);
  let head = 0;
  for (let i = 0; i < 2 * N; i += 500) {
    const batch = Array.from({ length: Math.min(500, 2 * N - i) }, (_, k) => {
      const n = i + k;
      return {
        specversion: '1.0',
        id: `merge-bench-${n}`,
        source: 'bench/merge',
        type: 'touchpoint.recorded.v1',
        // The two customers' touchpoints interleave in time: a merged page mixes both.
        time: new Date(start + n * 60_000).toISOString(),
        data: {
          channel: CHANNELS[n % CHANNELS.length],
          direction: 'inbound',
          identity: n % 2 === 0 ? ANN : ANN_PHONE,
          content: { text: `touchpoint ${n}` },
        },
      };
    });
    const results = await ingestion.ingest(batch, UNRESTRICTED_SCOPE);
    for (const r of results) {
      if (r.status !== 'accepted') throw new Error(JSON.stringify(r));
      head = Math.max(head, r.position);
    }
  }
  await store.close();
  return head;
}

async function json<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as T };
}

const post = (url: string, body: unknown) =>
  json(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

interface Page {
  customerId: string;
  items: { customerId: string; identity: ChannelIdentity }[];
  nextCursor: string | null;
}

/** Reads the whole timeline in pages of 500; returns how many entries it read. */
async function readAll(api: string, customerId: string): Promise<number> {
  let read = 0;
  let cursor: string | null = null;
  do {
    const { body }: { body: Page } = await json<Page>(
      `${api}/v1/customers/${customerId}/timeline?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
    );
    read += body.items.length;
    cursor = body.nextCursor;
  } while (cursor);
  return read;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  // The services encrypt personal fields: keys made for this run, shared by every process.
  ensureTestPrivacyEnv();
  const log = (line: string) => console.log(`  ${line}`);
  const redisService = await obtainService('redis', log);
  if (!redisService.ok) throw new Error(`bench:merge needs Redis: ${redisService.reason}`);
  // The ingestor (where staff commands go) consumes Kafka; nothing is published here.
  const kafka = await obtainService('kafka', log);
  if (!kafka.ok) throw new Error(`bench:merge needs Kafka for the ingestor: ${kafka.reason}`);
  const run = `merge${Date.now().toString(36)}`;
  const topicPrefix = `${run}.`;
  await provisionTopics(kafkaFromUrl(kafka.url, 'bench-admin'), topicPrefix);
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-merge-'));
  const storeUrl = process.env.BENCH_EVENT_STORE ?? `sqlite:${join(dir, 'log.db')}`;
  const prefix = `rapport:bench:${run}:`;
  console.log(
    `bench:merge — 2 customers × ${N} touchpoints, ${RUNS} merges (log ${storeUrl.split('?')[0]}, Redis ${redisService.url})`,
  );
  const seeded = performance.now();
  const head = await seed(storeUrl);
  console.log(
    `  seeded ${2 * N} touchpoints in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
  );

  const env = {
    RAPPORT_BUS: `${kafka.url}?topicPrefix=${topicPrefix}`,
    RAPPORT_INGESTOR_GROUP: `${run}-ingestor`,
    RAPPORT_EVENT_STORE: storeUrl,
    RAPPORT_READ_MODELS: `${redisService.url}/0?prefix=${prefix}`,
  };
  const redis = new Redis(redisService.url);
  const services: RunningProcess[] = [];
  try {
    services.push(
      ...(await Promise.all([
        startService('projector', env),
        startService('ingestor', env),
        startService('query-api', env),
      ])),
    );
    const [, ingestor, queryApi] = services;
    const survivor = customerIdFor(ANN);
    const merged = customerIdFor(ANN_PHONE);
    // Projected, and both identities resolved into customers of their own.
    await eventually(
      async () => Number((await redis.get(`${prefix}{timeline}:checkpoint:timeline`)) ?? 0),
      (c) => c >= head + 2,
      300_000,
      50,
    );
    for (const id of [survivor, merged]) {
      const profile = await eventually(
        () => json<{ touchpoints: number }>(`${queryApi.url}/v1/customers/${id}`),
        (r) => r.status === 200 && r.body.touchpoints === N,
        60_000,
        20,
      );
      if (profile.body.touchpoints !== N) throw new Error(`customer ${id} not ready`);
    }

    const mergeTimes: number[] = [];
    const baselines: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const answer = await post(`${ingestor.url}/v1/customers/${survivor}/merge`, {
        customerId: merged,
        staffId: 'bench',
      });
      if (answer.status !== 202) throw new Error(`merge: ${JSON.stringify(answer)}`);
      // Visible: the survivor's first page shows the merged customer's touchpoints.
      const page = await eventually(
        () => json<Page>(`${queryApi.url}/v1/customers/${survivor}/timeline?limit=50`),
        (r) => r.body.items.some((e) => e.identity.kind === 'phone'),
        30_000,
        2,
      );
      const ms = performance.now() - started;
      if (!page.body.items.some((e) => e.identity.kind === 'phone'))
        throw new Error('the merge did not become visible within 30 s');
      mergeTimes.push(ms);

      const readStarted = performance.now();
      const read = await readAll(queryApi.url, merged); // a merged id: the survivor's timeline
      baselines.push(performance.now() - readStarted);
      if (read !== 2 * N) throw new Error(`the merged timeline has ${read} entries, not ${2 * N}`);
      console.log(
        `  run ${i + 1}: merge visible after ${ms.toFixed(0)} ms; reading the ${read}-entry timeline took ${baselines[i].toFixed(0)} ms`,
      );

      const undo = await post(`${ingestor.url}/v1/customers/${survivor}/unmerge`, {
        customerId: merged,
        staffId: 'bench',
      });
      if (undo.status !== 202) throw new Error(`unmerge: ${JSON.stringify(undo)}`);
      await eventually(
        () => json<Page>(`${queryApi.url}/v1/customers/${survivor}/timeline?limit=50`),
        (r) => !r.body.items.some((e) => e.identity.kind === 'phone'),
        30_000,
        5,
      );
    }
    const merge = median(mergeTimes);
    const baseline = median(baselines);
    console.log(
      `  baseline: reading the whole merged timeline (${2 * N} entries, pages of 500) takes ${baseline.toFixed(0)} ms; merge to visible is ${(merge / baseline).toFixed(2)}x of that`,
    );
    console.log(`merge: ${Math.round(merge)} ms to visible`);
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.unlink(...keys);
    redis.disconnect();
    await removeTopics(kafkaFromUrl(kafka.url, 'bench-admin'), run);
    await kafka.stop();
    await redisService.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
