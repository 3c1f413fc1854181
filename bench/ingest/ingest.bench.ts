/**
 * `npm run bench:ingest`: touchpoints per second from publish to visible in the Redis
 * timeline, with the ingestor and projector as separate processes on a SQLite log, and
 * — as the baseline, in the same run — bare kafkajs consuming the same messages.
 *
 * Both runs publish the same CloudEvents (in the adapter SDK's default content mode,
 * structured, keyed by identity, encoded beforehand exactly as the SDK encodes them) with
 * one plain kafkajs producer, so the clock measures the platform, not the adapter's own
 * validation. A second end-to-end run in binary mode (`ce_*` headers) is printed for
 * reference, and the adapter SDK's publish rate on its own line.
 *
 * BENCH_TOUCHPOINTS (default 50000) and BENCH_IDENTITIES (default 5000) size the run;
 * BENCH_INGESTORS (default 1) runs that many ingestor replicas in the consumer group.
 * The end-to-end run is also made with metrics off (`RAPPORT_METRICS=off`) and with personal
 * data protection off (`RAPPORT_PRIVACY=off`: no encryption, plain keys): what each costs.
 * And with tracing on as well as metrics (`OTEL_TRACES_EXPORTER=otlp` to a sink in this
 * process that reads and drops what it is sent; sampler `BENCH_TRACES_SAMPLER`, by default
 * OpenTelemetry's own, parent-based always on: every touchpoint traced), against the run
 * with both off.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_CONTENT_MODE,
  TouchpointPublisher,
  type TouchpointInput,
} from '@rapport/adapter-sdk';
import { type Channel } from '@rapport/domain';
import { identityKey } from '@rapport/domain';
import { parseInboundEvent } from '@rapport/wire';
import {
  type ContentMode,
  encodeBinary,
  encodeStructured,
  kafkaFromUrl,
  provisionTopics,
  redactBusUrl,
  removeTopics,
  topicNames,
} from '@rapport/messaging';
import { type Message } from 'kafkajs';
import {
  ensureTestPrivacyEnv,
  eventually,
  obtainService,
  REPO_ROOT,
  type RunningProcess,
  startService,
} from '@rapport/testing';
import Redis from 'ioredis';

const N = Number(process.env.BENCH_TOUCHPOINTS ?? 50_000);
const IDENTITIES = Number(process.env.BENCH_IDENTITIES ?? 5_000);
/** Ingestor replicas in one consumer group. */
const INGESTORS = Number(process.env.BENCH_INGESTORS ?? 1);
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

/** The workload as Kafka messages per topic, encoded like the adapter SDK does it (not timed). */
function encode(
  events: TouchpointInput[],
  prefix: string,
  mode: ContentMode = DEFAULT_CONTENT_MODE,
): Map<string, Message[]> {
  const encodeMessage = mode === 'binary' ? encodeBinary : encodeStructured;
  const topics = topicNames(prefix);
  const byTopic = new Map<string, Message[]>();
  for (const input of events) {
    const parsed = parseInboundEvent(
      { specversion: '1.0', source: 'bench/adapter', type: 'touchpoint.recorded.v1', ...input },
      { now: new Date() },
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const topic = topics.touchpoint(parsed.value.cloudEvent.data?.channel as Channel);
    const list = byTopic.get(topic) ?? [];
    list.push(encodeMessage(parsed.value.cloudEvent, identityKey(parsed.value.identity)));
    byTopic.set(topic, list);
  }
  return byTopic;
}

/** Publishes pre-encoded messages with one plain idempotent kafkajs producer. */
async function publishAll(kafkaUrl: string, messages: Map<string, Message[]>): Promise<void> {
  const producer = kafkaFromUrl(kafkaUrl, 'bench-producer').producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const all = [...messages].flatMap(([topic, list]) => list.map((m) => ({ topic, m })));
  for (let i = 0; i < all.length; i += PUBLISH_CHUNK) {
    const chunk = all.slice(i, i + PUBLISH_CHUNK);
    const topicMessages = [...new Set(chunk.map((c) => c.topic))].map((topic) => ({
      topic,
      messages: chunk.filter((c) => c.topic === topic).map((c) => c.m),
    }));
    await producer.sendBatch({ topicMessages, acks: -1 });
  }
  await producer.disconnect();
}

/** The adapter SDK's own rate (local validation, encoding, idempotent send), for reference. */
async function sdkRate(kafkaUrl: string, run: string): Promise<number> {
  const prefix = `${run}-sdk.`;
  await prepareTopics(kafkaUrl, prefix);
  const publisher = new TouchpointPublisher({
    kafkaUrl,
    topicPrefix: prefix,
    clientId: 'bench-adapter',
    source: 'bench/adapter',
  });
  await publisher.connect();
  const events = workload(run).slice(0, Math.min(N, 20_000));
  const started = performance.now();
  for (let i = 0; i < events.length; i += PUBLISH_CHUNK)
    await publisher.publishBatch(events.slice(i, i + PUBLISH_CHUNK));
  const rate = events.length / ((performance.now() - started) / 1000);
  await publisher.disconnect();
  return rate;
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
  const messages = encode(workload(run), prefix);
  const started = performance.now();
  await publishAll(kafkaUrl, messages);
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

/** CPU seconds a process has used so far (Linux /proc), or NaN where that cannot be read. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in 1/100 s
  } catch {
    return Number.NaN;
  }
}

/** The processes that share the machine during the run, by name. */
async function processesOf(redis: Redis, services: RunningProcess[]): Promise<Map<string, number>> {
  const pids = new Map<string, number>();
  services.forEach((s, i) =>
    pids.set(
      i === services.length - 1 ? 'projector' : `ingestor${services.length > 2 ? `#${i + 1}` : ''}`,
      s.pid,
    ),
  );
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
  if (redisPid) pids.set('redis', redisPid);
  const kafkaPidFile = join(REPO_ROOT, '.local-services/kafka/kafka.pid');
  if (existsSync(kafkaPidFile))
    pids.set('kafka', Number(readFileSync(kafkaPidFile, 'utf8').trim()));
  pids.set('bench (publisher, polling)', process.pid);
  return pids;
}

/** CPU seconds the services (ingestors and projector) used in each end-to-end run, by run. */
const serviceCpu = new Map<string, number>();

/** An OTLP/HTTP endpoint that reads what it is sent and drops it, counting the bytes. */
async function otlpSink(): Promise<{ url: string; bytes: () => number; close: () => void }> {
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bytes: () => bytes, close: () => server.close() };
}

/** End to end: ingestor and projector as processes; the clock stops when Redis holds every touchpoint. */
async function endToEnd(
  kafkaUrl: string,
  redisUrl: string,
  run: string,
  mode: ContentMode = DEFAULT_CONTENT_MODE,
  extraEnv: Record<string, string> = {},
): Promise<number> {
  const topicPrefix = `${run}-e2e.`;
  await prepareTopics(kafkaUrl, topicPrefix);
  const redisPrefix = `rapport:bench:${run}:`;
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-'));
  const env = {
    RAPPORT_BUS: `${kafkaUrl}?topicPrefix=${topicPrefix}`,
    RAPPORT_EVENT_STORE: `sqlite:${join(dir, 'log.db')}`,
    RAPPORT_READ_MODELS: `${redisUrl}/0?prefix=${redisPrefix}`,
    RAPPORT_INGESTOR_GROUP: `${run}-ingestor`,
    ...extraEnv,
  };
  const redis = new Redis(redisUrl);
  const services: RunningProcess[] = await Promise.all([
    ...Array.from({ length: INGESTORS }, () => startService('ingestor', env)),
    startService('projector', env),
  ]);
  const checkpoint = async () =>
    Number((await redis.get(`${redisPrefix}{timeline}:checkpoint:timeline`)) ?? 0);
  try {
    // Warm-up: one touchpoint through the whole path, so the consumer group has joined.
    await publishAll(kafkaUrl, encode(workload(`${run}-warmup`).slice(0, 1), topicPrefix, mode));
    await eventually(checkpoint, (c) => c >= 1, 120_000, 20);
    const messages = encode(workload(run), topicPrefix, mode);
    const pids = await processesOf(redis, services);
    const cpuBefore = new Map([...pids].map(([name, pid]) => [name, cpuSeconds(pid)]));
    const started = performance.now();
    const ingestorUrl = services[0].url;
    // Progress once a second: the log head (ingestor) and the Redis checkpoint (projector).
    const progress = setInterval(() => {
      void (async () => {
        const head = (await (await fetch(`${ingestorUrl}/health`)).json()) as {
          log: { head: number };
        };
        const at = ((performance.now() - started) / 1000).toFixed(1);
        console.log(
          `  ${at.padStart(5)} s  log ${String(head.log.head).padStart(6)}  redis ${String(await checkpoint()).padStart(6)}`,
        );
      })().catch(() => undefined);
    }, 1000);
    await publishAll(kafkaUrl, messages);
    const published = (performance.now() - started) / 1000;
    // The log holds the touchpoints (and the warm-up) plus one identity.linked per new
    // identity, appended by identity resolution: all of them projected = all visible.
    await eventually(checkpoint, (c) => c >= N + 1 + Math.min(IDENTITIES, N), 600_000, 5);
    clearInterval(progress);
    const cpu = [...pids].map(
      ([name, pid]) => `${name} ${(cpuSeconds(pid) - (cpuBefore.get(name) ?? 0)).toFixed(1)} s`,
    );
    console.log(`  CPU used during the run: ${cpu.join(', ')}`);
    serviceCpu.set(
      run,
      [...pids]
        .filter(([name]) => name.startsWith('ingestor') || name === 'projector')
        .reduce((sum, [name, pid]) => sum + cpuSeconds(pid) - (cpuBefore.get(name) ?? 0), 0),
    );
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
  // The services encrypt personal fields: keys made for this run, shared by every process.
  ensureTestPrivacyEnv();
  const log = (line: string) => console.log(`  ${line}`);
  const kafka = await obtainService('kafka', log);
  const redis = await obtainService('redis', log);
  if (!kafka.ok || !redis.ok)
    throw new Error(
      `bench:ingest needs Kafka and Redis: ${[kafka, redis].map((s) => (s.ok ? 'ok' : s.reason)).join('; ')}`,
    );
  const run = `bench${Date.now().toString(36)}`;
  console.log(
    `bench:ingest — ${N} touchpoints, ${IDENTITIES} identities, ${CHANNELS.length} channels, ${INGESTORS} ingestor(s) (Kafka ${redactBusUrl(kafka.url)}, Redis ${redis.url})`,
  );
  try {
    // The broker is a JVM: its first hundred thousand messages after a start run partly
    // interpreted (Kafka's own CPU per message falls about sixfold over the first few runs),
    // so one untimed round warms it for both measurements.
    const warm = await bareKafkajs(kafka.url, `${run}-warm`);
    console.log(`  warm-up (untimed): bare kafkajs ${Math.round(warm)} messages/s`);
    const bare = await bareKafkajs(kafka.url, run);
    console.log(`  bare kafkajs: ${Math.round(bare)} messages/s (publish → consumed)`);
    // Metrics cost: the same run with RAPPORT_METRICS=off first, then on (the default).
    // Tracing is off in every run but the traced one, whatever this shell's OTEL_* say.
    const untraced = { OTEL_TRACES_EXPORTER: 'none' };
    console.log(`  metrics and tracing off (RAPPORT_METRICS=off, OTEL_TRACES_EXPORTER=none):`);
    const e2eOff = await endToEnd(kafka.url, redis.url, `${run}-nometrics`, DEFAULT_CONTENT_MODE, {
      RAPPORT_METRICS: 'off',
      ...untraced,
    });
    console.log(`  personal data protection off (RAPPORT_PRIVACY=off):`);
    const e2ePlain = await endToEnd(kafka.url, redis.url, `${run}-plain`, DEFAULT_CONTENT_MODE, {
      RAPPORT_PRIVACY: 'off',
      ...untraced,
    });
    console.log(`  metrics and protection on (the defaults):`);
    const e2e = await endToEnd(kafka.url, redis.url, run, DEFAULT_CONTENT_MODE, untraced);
    const sampler = process.env.BENCH_TRACES_SAMPLER ?? 'parentbased_always_on';
    console.log(`  metrics and tracing on (OTEL_TRACES_EXPORTER=otlp, sampler ${sampler}):`);
    const sink = await otlpSink();
    const e2eTraced = await endToEnd(kafka.url, redis.url, `${run}-traced`, DEFAULT_CONTENT_MODE, {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      OTEL_TRACES_SAMPLER: sampler,
      ...(process.env.BENCH_TRACES_SAMPLER_ARG
        ? { OTEL_TRACES_SAMPLER_ARG: process.env.BENCH_TRACES_SAMPLER_ARG }
        : {}),
    });
    sink.close();
    console.log(`  spans exported: ${(sink.bytes() / 1e6).toFixed(1)} MB of OTLP/JSON`);
    console.log(`  binary content mode (ce_* headers), for reference:`);
    const e2eBinary = await endToEnd(kafka.url, redis.url, `${run}-binary`, 'binary', untraced);
    console.log(
      `  adapter SDK:  ${Math.round(await sdkRate(kafka.url, run))} touchpoints/s published (validated locally), for reference`,
    );
    console.log(
      `  end to end, binary mode: ${Math.round(e2eBinary)} touchpoints/s (${(e2eBinary / bare).toFixed(2)}x of bare kafkajs)`,
    );
    console.log(
      `  end to end:   ${Math.round(e2e)} touchpoints/s (publish → visible in the Redis timeline, ${DEFAULT_CONTENT_MODE} mode)`,
    );
    console.log(
      `  metrics: ${Math.round(e2e)} touchpoints/s on, ${Math.round(e2eOff)} off (${((1 - e2e / e2eOff) * 100).toFixed(1)} % overhead)`,
    );
    const cpuOff = serviceCpu.get(`${run}-nometrics`) ?? Number.NaN;
    const cpuTraced = serviceCpu.get(`${run}-traced`) ?? Number.NaN;
    const cpuMetrics = serviceCpu.get(run) ?? Number.NaN;
    console.log(
      `  metrics+tracing: ${Math.round(e2eTraced)} touchpoints/s on, ${Math.round(e2eOff)} off (${((1 - e2eTraced / e2eOff) * 100).toFixed(1)} % overhead); ` +
        `services' CPU ${cpuTraced.toFixed(1)} s on, ${cpuOff.toFixed(1)} s off (${((cpuTraced / cpuOff - 1) * 100).toFixed(1)} % more)`,
    );
    console.log(
      `  tracing alone: ${Math.round(e2eTraced)} touchpoints/s on, ${Math.round(e2e)} off (metrics on in both, ${((1 - e2eTraced / e2e) * 100).toFixed(1)} % overhead); ` +
        `services' CPU ${cpuTraced.toFixed(1)} s on, ${cpuMetrics.toFixed(1)} s off (${((cpuTraced / cpuMetrics - 1) * 100).toFixed(1)} % more)`,
    );
    console.log(
      `  encryption: ${Math.round(e2e)} touchpoints/s on, ${Math.round(e2ePlain)} off (${((1 - e2e / e2ePlain) * 100).toFixed(1)} % cost)`,
    );
    console.log(
      `ingest: ${Math.round(e2e)} touchpoints/s end-to-end, ${(e2e / bare).toFixed(2)}x of bare kafkajs`,
    );
  } finally {
    await removeTopics(kafkaFromUrl(kafka.url, 'bench-admin'), run);
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
