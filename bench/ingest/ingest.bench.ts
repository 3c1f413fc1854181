/**
 * `npm run bench:ingest`: touchpoints per second from publish to visible in the Redis
 * timeline, with the ingestor and projector as separate processes on a SQLite log, and
 * — as the baseline, in the same run — bare kafkajs consuming the same messages.
 *
 * BENCH_TOUCHPOINTS (default 50000) and BENCH_IDENTITIES (default 5000) size the run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TouchpointPublisher, type TouchpointInput } from '@rapport/adapter-sdk';
import { type Channel } from '@rapport/domain';
import { kafkaFromUrl, provisionTopics, topicNames } from '@rapport/messaging';
import { eventually, obtainService, type RunningProcess, startService } from '@rapport/testing';
import Redis from 'ioredis';

const N = Number(process.env.BENCH_TOUCHPOINTS ?? 50_000);
const IDENTITIES = Number(process.env.BENCH_IDENTITIES ?? 5_000);
const CHANNELS: Channel[] = ['email', 'chat', 'social', 'in_person'];
const PUBLISH_CHUNK = 2_000;

function workload(run: string): TouchpointInput[] {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: N }, (_, n) => ({
    id: `${run}-${n}`,
    time: new Date(start + n * 1000).toISOString(),
    data: {
      channel: CHANNELS[n % CHANNELS.length],
      direction: n % 3 === 0 ? 'outbound' : 'inbound',
      identity: { kind: 'email', value: `person.${n % IDENTITIES}@bench.example` },
      content: {
        subject: 'Order question',
        text: `Hello, this is touchpoint ${n} about my order.`,
      },
      sentiment: ((n % 21) - 10) / 10,
    },
  })) as TouchpointInput[];
}

async function publishAll(
  kafkaUrl: string,
  topicPrefix: string,
  events: TouchpointInput[],
): Promise<void> {
  const publisher = new TouchpointPublisher({
    kafkaUrl,
    topicPrefix,
    clientId: 'bench-adapter',
    source: 'bench/adapter',
  });
  await publisher.connect();
  for (let i = 0; i < events.length; i += PUBLISH_CHUNK)
    await publisher.publishBatch(events.slice(i, i + PUBLISH_CHUNK));
  await publisher.disconnect();
}

async function prepareTopics(kafkaUrl: string, prefix: string): Promise<void> {
  await provisionTopics(kafkaFromUrl(kafkaUrl, 'bench-admin'), prefix);
}

/** Baseline: a bare kafkajs consumer group counting the messages, from first publish to last message seen. */
async function bareKafkajs(kafkaUrl: string, run: string): Promise<number> {
  const prefix = `${run}-bare.`;
  await prepareTopics(kafkaUrl, prefix);
  const consumer = kafkaFromUrl(kafkaUrl, 'bench-bare').consumer({
    groupId: `${run}-bare`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [...topicNames(prefix).touchpoints], fromBeginning: true });
  let seen = 0;
  const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
  await consumer.run({ eachBatch: async ({ batch }) => void (seen += batch.messages.length) });
  await joined;
  const events = workload(run);
  const started = performance.now();
  await publishAll(kafkaUrl, prefix, events);
  await eventually(
    async () => seen,
    (n) => n >= N,
    600_000,
    5,
  );
  const elapsed = (performance.now() - started) / 1000;
  await consumer.disconnect();
  return N / elapsed;
}

/** End to end: ingestor and projector as processes; the clock stops when Redis holds every touchpoint. */
async function endToEnd(kafkaUrl: string, redisUrl: string, run: string): Promise<number> {
  const topicPrefix = `${run}-e2e.`;
  await prepareTopics(kafkaUrl, topicPrefix);
  const redisPrefix = `rapport:bench:${run}:`;
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-'));
  const env = {
    RAPPORT_BUS: `${kafkaUrl}?topicPrefix=${topicPrefix}`,
    RAPPORT_EVENT_STORE: `sqlite:${join(dir, 'log.db')}`,
    RAPPORT_READ_MODELS: `${redisUrl}/0?prefix=${redisPrefix}`,
    RAPPORT_INGESTOR_GROUP: `${run}-ingestor`,
  };
  const redis = new Redis(redisUrl);
  const services: RunningProcess[] = await Promise.all([
    startService('ingestor', env),
    startService('projector', env),
  ]);
  const checkpoint = async () =>
    Number((await redis.get(`${redisPrefix}checkpoint:timeline`)) ?? 0);
  try {
    // Warm-up: one touchpoint through the whole path, so the consumer group has joined.
    await publishAll(kafkaUrl, topicPrefix, workload(`${run}-warmup`).slice(0, 1));
    await eventually(checkpoint, (c) => c >= 1, 120_000, 20);
    const events = workload(run);
    const started = performance.now();
    await publishAll(kafkaUrl, topicPrefix, events);
    const published = (performance.now() - started) / 1000;
    await eventually(checkpoint, (c) => c >= N + 1, 600_000, 5);
    const elapsed = (performance.now() - started) / 1000;
    console.log(
      `  published ${N} in ${published.toFixed(2)} s; all visible in Redis after ${elapsed.toFixed(2)} s`,
    );
    return N / elapsed;
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length) await redis.unlink(...keys);
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const log = (line: string) => console.log(`  ${line}`);
  const kafka = await obtainService('kafka', log);
  const redis = await obtainService('redis', log);
  if (!kafka.ok || !redis.ok)
    throw new Error(
      `bench:ingest needs Kafka and Redis: ${[kafka, redis].map((s) => (s.ok ? 'ok' : s.reason)).join('; ')}`,
    );
  const run = `bench${Date.now().toString(36)}`;
  console.log(
    `bench:ingest — ${N} touchpoints, ${IDENTITIES} identities, ${CHANNELS.length} channels (Kafka ${kafka.url}, Redis ${redis.url})`,
  );
  try {
    const bare = await bareKafkajs(kafka.url, run);
    console.log(`  bare kafkajs: ${Math.round(bare)} messages/s (publish → consumed)`);
    const e2e = await endToEnd(kafka.url, redis.url, run);
    console.log(
      `  end to end:   ${Math.round(e2e)} touchpoints/s (publish → visible in the Redis timeline)`,
    );
    console.log(
      `ingest: ${Math.round(e2e)} touchpoints/s end-to-end, ${(e2e / bare).toFixed(2)}x of bare kafkajs`,
    );
  } finally {
    await kafka.stop();
    await redis.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
