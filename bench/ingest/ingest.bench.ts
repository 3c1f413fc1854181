/**
 * `npm run bench:ingest`: touchpoints per second from publish to visible in the Redis
 * timeline, with the ingestor and projector as separate processes on a SQLite log, and
 * — as the baseline, in the same rounds — bare kafkajs consuming the same messages.
 *
 * Both publish the same CloudEvents (in the adapter SDK's default content mode, structured,
 * keyed by identity, encoded beforehand exactly as the SDK encodes them) with one plain
 * kafkajs producer, so the clock measures the platform, not the adapter's own validation.
 * The adapter SDK's publish rate is printed on its own line, for reference.
 *
 * The end-to-end run is made in four configurations: metrics and tracing off
 * (`RAPPORT_METRICS=off`, `OTEL_TRACES_EXPORTER=none`), personal data protection off
 * (`RAPPORT_PRIVACY=off`: no encryption, plain keys), the defaults (metrics and protection
 * on, tracing off), and traced (the defaults plus `OTEL_TRACES_EXPORTER=otlp` to a sink in
 * this process that reads and drops what it is sent). The traced run uses the sampler
 * docs/operations.md recommends for production, `parentbased_traceidratio` at 0.01 (1 % of
 * touchpoints); `BENCH_TRACES_SAMPLER` and `BENCH_TRACES_SAMPLER_ARG` set another
 * (`BENCH_TRACES_SAMPLER=parentbased_always_on` traces every touchpoint). `BENCH_BINARY=1`
 * adds the defaults in binary content mode (`ce_*` headers), for reference.
 *
 * Fairness: one untimed bare run and one untimed end-to-end run warm the broker (a JVM) and
 * the disk first. Every pipeline is then sent BENCH_PIPELINE_WARMUP touchpoints (default
 * 15,000) of other people, untimed, after its services started: they are measured as they run
 * in production, in their steady state (code optimised, heaps grown, statements prepared),
 * not in their first seconds, which cost 40–50 % more CPU per touchpoint in every
 * configuration alike and so hid part of each overhead (docs/decisions/0059). Then
 * BENCH_ROUNDS rounds (default 3) run the baseline and every configuration once each, round r
 * starting at a different one and every other turn of the list going backwards, so no
 * configuration always runs first or after the same neighbour. Each configuration's figure is
 * the median of its rounds; each overhead is the median of the per-round ratios of the two
 * configurations it compares (both run in the same round, minutes apart at most), and so is
 * the ratio to bare kafkajs. The services' CPU (ingestor and projector, from /proc) is
 * compared the same way: it is less sensitive to what else runs on the machine than the
 * throughput. Each round's line also gives each service's garbage collector pauses per
 * touchpoint on its main thread (from its own `/metrics`, read before and after the timed
 * workload with a scrape token made for the run; none where metrics are off), and how much of
 * them were not young-generation ones (major, incremental marking, weak callbacks).
 *
 * Duets, for the overheads: these virtual machines change speed from one half-minute to the
 * next (the same CPU-bound work takes 90–190 ms of CPU time on an idle machine), which moves
 * one configuration's CPU per touchpoint by ±20 % between rounds, more than the overheads
 * measured. So each overhead (metrics, metrics+tracing, tracing alone, encryption) is measured
 * again BENCH_DUETS times (default 3): both configurations' pipelines at once, on their own
 * topics, logs and Redis prefixes, so that both meet the same machine (Bulej et al., "Duet
 * Benchmarking", 2020). Each pipeline then has about half the machine: the duets' figures are
 * ratios, not throughputs to quote. Their throughput ratio understates a difference (the
 * pipeline that finishes first leaves the machine to the other for the rest of its run), and
 * the services' CPU per touchpoint overstates it: on a machine the pipeline keeps busy,
 * throughput falls by less than the services' CPU rises, as they share it with Kafka, Redis
 * and the publisher (about a fifth of the CPU here). Comparing over a shorter window does not
 * help: taken when the first finishes, the other's work in flight counts against it; taken
 * over a stretch where both run, the projector's catching up on what the ingestor logged
 * before counts for it (2026-12-07: tried both, see bench/README.md). BENCH_AA_DUETS=1 adds
 * duets of protection off against itself, whose differences are the method's noise.
 *
 * BENCH_TOUCHPOINTS (default 30000) and BENCH_IDENTITIES (default 5000) size each run;
 * BENCH_CONFIGURATIONS (e.g. `traced` with RAPPORT_CPU_PROFILE_DIR, for a profile) runs only
 * those named (bare, off, plain, defaults, traced; binary with BENCH_BINARY=1);
 * BENCH_INGESTORS (default 1) runs that many ingestor replicas in the consumer group. Each
 * service is asked for /health once a second from its start, as an orchestrator's probe
 * would; BENCH_PROGRESS=1 prints the log head and the Redis checkpoint at each. With the
 * defaults, the bench took about 11 minutes on a 2-core machine before the pipelines' warm-up,
 * which adds about 2 s per pipeline.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONTENT_MODE, TouchpointPublisher } from '@rapport/adapter-sdk';
import { type Channel, identityKey } from '@rapport/domain';
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
  median as medianOf,
  obtainService,
  processCpuSeconds,
  REPO_ROOT,
  type RunningProcess,
  startService,
} from '@rapport/testing';
import Redis from 'ioredis';
import { CHANNELS, touchpoints } from './workload';

const N = Number(process.env.BENCH_TOUCHPOINTS ?? 30_000);
const IDENTITIES = Number(process.env.BENCH_IDENTITIES ?? 5_000);
/** Ingestor replicas in one consumer group. */
const INGESTORS = Number(process.env.BENCH_INGESTORS ?? 1);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const BINARY = process.env.BENCH_BINARY === '1';
const PROGRESS = process.env.BENCH_PROGRESS === '1';
/** Only these configurations (comma-separated names: bare, off, plain, defaults, traced, binary). */
const ONLY = process.env.BENCH_CONFIGURATIONS?.split(',').map((name) => name.trim());
const SAMPLER = process.env.BENCH_TRACES_SAMPLER ?? 'parentbased_traceidratio';
const SAMPLER_ARG =
  process.env.BENCH_TRACES_SAMPLER_ARG ?? (SAMPLER.endsWith('traceidratio') ? '0.01' : undefined);
/** Repetitions of each duet (two configurations at once), for the overheads; 0: none. */
const DUETS = Math.max(0, Number(process.env.BENCH_DUETS ?? 3));
const PUBLISH_CHUNK = 2_000;
/**
 * Touchpoints each pipeline is sent, untimed, after it started and before it is measured
 * (people of another domain than the workload's, so that the workload's are still new).
 */
const PIPELINE_WARMUP = Number(process.env.BENCH_PIPELINE_WARMUP ?? 15_000);
if (!Number.isInteger(PIPELINE_WARMUP) || PIPELINE_WARMUP < 0)
  throw new Error(
    `BENCH_PIPELINE_WARMUP=${process.env.BENCH_PIPELINE_WARMUP}: expected a whole number of touchpoints, 0 or more`,
  );
const WARMUP_DOMAIN = 'warmup.example';
/** The log's events after the warm-up: each touchpoint, and one identity.linked per new person. */
const warmupEvents = 1 + PIPELINE_WARMUP + Math.min(IDENTITIES, Math.max(1, PIPELINE_WARMUP));

const workload = (run: string) => touchpoints(run, N, IDENTITIES);

/** The workload as Kafka messages per topic, encoded like the adapter SDK does it (not timed). */
function encode(
  events: ReturnType<typeof workload>,
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
  const events = touchpoints(run, Math.min(N, 20_000), IDENTITIES);
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

/**
 * Baseline: a bare kafkajs consumer group counting the messages, from first publish to last
 * message seen; with the CPU seconds the broker and this process (publisher and consumer)
 * used meanwhile, the machine's whole cost of moving the messages.
 */
async function bareKafkajs(
  kafkaUrl: string,
  run: string,
): Promise<{ rate: number; cpu: Map<string, number> }> {
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
  const pids = new Map<string, number>();
  const kafkaPid = kafkaPidOf();
  if (kafkaPid) pids.set('kafka', kafkaPid);
  pids.set('bench (publisher, consumer)', process.pid);
  const cpuBefore = new Map([...pids].map(([name, pid]) => [name, processCpuSeconds(pid)]));
  const started = performance.now();
  await publishAll(kafkaUrl, messages);
  await eventually(
    async () => seen,
    (n) => n >= N,
    600_000,
    5,
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = new Map(
    [...pids].map(([name, pid]) => [name, processCpuSeconds(pid) - (cpuBefore.get(name) ?? 0)]),
  );
  await consumer.disconnect();
  return { rate: N / elapsed, cpu };
}

/**
 * A failed run's error for the log: its first line, and the last lines a service printed before
 * it exited (the error of a service that did not start carries its whole output).
 */
function failure(error: unknown): string {
  const [first, ...rest] = String(error).split('\n');
  const tail = rest.filter((line) => line.trim() !== '').slice(-12);
  return [first, ...tail.map((line) => `        ${line.slice(0, 400)}`)].join('\n');
}

/** The local broker's process id (infra/local), or undefined for a broker elsewhere. */
function kafkaPidOf(): number | undefined {
  const file = join(REPO_ROOT, '.local-services/kafka/kafka.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
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
  const kafkaPid = kafkaPidOf();
  if (kafkaPid) pids.set('kafka', kafkaPid);
  pids.set('bench (publisher, polling)', process.pid);
  return pids;
}

/** The services' scrape token, made for this run (a configuration with metrics off has none to serve). */
const METRICS_TOKEN = randomBytes(24).toString('base64url');

/** Seconds a service has spent in the garbage collector: young generation and the rest. */
interface GcSeconds {
  readonly young: number;
  readonly old: number;
}

/**
 * A service's collector pauses so far (main thread), from its own `/metrics` (prom-client's
 * `nodejs_gc_duration_seconds`: `minor` is the young generation, `major`, `incremental` and
 * `weakcb` the rest); null, said, when they cannot be read.
 */
async function gcSecondsOf(service: RunningProcess): Promise<GcSeconds | null> {
  const response = await fetch(`${service.url}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    signal: AbortSignal.timeout(5_000),
  }).catch((error: unknown) => failure(error));
  if (typeof response === 'string' || !response.ok) {
    const why = typeof response === 'string' ? response : `HTTP ${response.status}`;
    console.log(`      (GC pauses of pid ${service.pid} not read: ${why})`);
    return null;
  }
  let young = 0;
  let old = 0;
  for (const line of (await response.text()).split('\n')) {
    const match = /^nodejs_gc_duration_seconds_sum\{kind="(\w+)"[^}]*\} (\S+)$/.exec(line);
    if (!match) continue;
    if (match[1] === 'minor') young += Number(match[2]);
    else old += Number(match[2]);
  }
  return { young, old };
}

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

/** One end-to-end run: its throughput, and the CPU seconds each process used during it. */
interface EndToEnd {
  readonly rate: number;
  readonly elapsed: number;
  readonly cpu: ReadonlyMap<string, number>;
  /** Ingestors' and projector's CPU seconds, together. */
  readonly serviceCpu: number;
  /** Each service's seconds in the garbage collector (named as in `cpu`), when it serves metrics. */
  readonly gc: ReadonlyMap<string, GcSeconds>;
}

/** A pipeline started and warmed up: `measure` times the workload through it, once. */
interface Pipeline {
  measure(): Promise<EndToEnd>;
  stop(): Promise<void>;
}

/**
 * Ingestor and projector as processes on their own topics, SQLite log and Redis prefix,
 * warmed up by one touchpoint and then PIPELINE_WARMUP more (of other people); `measure`
 * publishes the workload and stops the clock when Redis holds every touchpoint.
 */
async function startPipeline(
  kafkaUrl: string,
  redisUrl: string,
  run: string,
  mode: ContentMode,
  extraEnv: Record<string, string>,
): Promise<Pipeline> {
  const topicPrefix = `${run}-e2e.`;
  await prepareTopics(kafkaUrl, topicPrefix);
  const redisPrefix = `rapport:bench:${run}:`;
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-'));
  const env = {
    RAPPORT_BUS: `${kafkaUrl}?topicPrefix=${topicPrefix}`,
    RAPPORT_EVENT_STORE: `sqlite:${join(dir, 'log.db')}`,
    RAPPORT_READ_MODELS: `${redisUrl}/0?prefix=${redisPrefix}`,
    RAPPORT_INGESTOR_GROUP: `${run}-ingestor`,
    RAPPORT_METRICS_TOKEN: METRICS_TOKEN,
    ...extraEnv,
  };
  const redis = new Redis(redisUrl);
  const services: RunningProcess[] = [];
  let probe: NodeJS.Timeout | undefined;
  const stop = async () => {
    clearInterval(probe);
    await Promise.all(services.map((s) => s.stop()));
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length) await redis.unlink(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  };
  const checkpoint = async () =>
    Number((await redis.get(`${redisPrefix}{timeline}:checkpoint:timeline`)) ?? 0);
  let started = performance.now();
  try {
    const starting = await Promise.allSettled([
      ...Array.from({ length: INGESTORS }, () => startService('ingestor', env)),
      startService('projector', env),
    ]);
    // Ingestors first, the projector last (as `processesOf` names them); whichever started
    // is kept, so that `stop` ends it even when another failed to start.
    for (const s of starting) if (s.status === 'fulfilled') services.push(s.value);
    const failed = starting.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    // Every service is asked for /health once a second, as an orchestrator's probe would: in
    // a traced service the first request enters a context, after which every promise pays
    // AsyncLocalStorage's hook (Node 20), so an unprobed service would under-report tracing.
    const ask = () =>
      void (async () => {
        const [head] = await Promise.all(
          services.map(async (s) => (await fetch(`${s.url}/health`)).json()),
        );
        if (!PROGRESS) return;
        const at = ((performance.now() - started) / 1000).toFixed(1);
        console.log(
          `      ${run} ${at.padStart(5)} s  log ${String((head as { log: { head: number } }).log.head).padStart(6)}  redis ${String(await checkpoint()).padStart(6)}`,
        );
      })().catch(() => undefined);
    ask();
    probe = setInterval(ask, 1000);
    // Warm-up: one touchpoint through the whole path, so the consumer group has joined; then
    // PIPELINE_WARMUP more, of other people, so that the services are measured in their
    // steady state (code optimised, statements prepared), as they run in production.
    await publishAll(
      kafkaUrl,
      encode(touchpoints(`${run}-warmup`, 1, IDENTITIES, WARMUP_DOMAIN), topicPrefix, mode),
    );
    await eventually(checkpoint, (c) => c >= 1, 120_000, 20);
    if (PIPELINE_WARMUP > 0) {
      await publishAll(
        kafkaUrl,
        encode(
          touchpoints(`${run}-warmup-more`, PIPELINE_WARMUP, IDENTITIES, WARMUP_DOMAIN),
          topicPrefix,
          mode,
        ),
      );
      await eventually(checkpoint, (c) => c >= warmupEvents, 300_000, 20);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const messages = encode(workload(run), topicPrefix, mode);
  return {
    stop,
    measure: async () => {
      const pids = await processesOf(redis, services);
      const names = [...pids.keys()].slice(0, services.length);
      // None to read where metrics are off.
      const gcOf = async () =>
        extraEnv.RAPPORT_METRICS === 'off' ? [] : Promise.all(services.map(gcSecondsOf));
      const gcBefore = await gcOf();
      const cpuBefore = new Map([...pids].map(([name, pid]) => [name, processCpuSeconds(pid)]));
      started = performance.now();
      await publishAll(kafkaUrl, messages);
      // The log holds the touchpoints (and the warm-up) plus one identity.linked per new
      // identity, appended by identity resolution: all of them projected = all visible.
      await eventually(
        checkpoint,
        (c) => c >= warmupEvents + N + Math.min(IDENTITIES, N),
        600_000,
        5,
      );
      const elapsed = (performance.now() - started) / 1000;
      const cpu = new Map(
        [...pids].map(([name, pid]) => [name, processCpuSeconds(pid) - (cpuBefore.get(name) ?? 0)]),
      );
      const serviceCpu = [...cpu]
        .filter(([name]) => name.startsWith('ingestor') || name === 'projector')
        .reduce((sum, [, seconds]) => sum + seconds, 0);
      const gcAfter = await gcOf();
      const gc = new Map<string, GcSeconds>();
      gcAfter.forEach((after, i) => {
        const before = gcBefore[i];
        if (after && before)
          gc.set(names[i], { young: after.young - before.young, old: after.old - before.old });
      });
      return { rate: N / elapsed, elapsed, cpu, serviceCpu, gc };
    },
  };
}

/** End to end: one pipeline, started, measured and stopped. */
async function endToEnd(
  kafkaUrl: string,
  redisUrl: string,
  run: string,
  mode: ContentMode,
  extraEnv: Record<string, string>,
): Promise<EndToEnd> {
  const pipeline = await startPipeline(kafkaUrl, redisUrl, run, mode, extraEnv);
  try {
    return await pipeline.measure();
  } finally {
    await pipeline.stop();
  }
}

/**
 * A duet: two configurations' pipelines measured at the same time, each on its own topics,
 * log and Redis prefix, so that both meet the same machine. On these virtual machines the
 * same CPU-bound work takes up to 1.5 times longer from one half-minute to the next, which
 * moves sequential runs more than the overheads being measured; running both at once
 * cancels that out (Bulej et al., "Duet Benchmarking", 2020).
 */
async function duet(
  kafkaUrl: string,
  redisUrl: string,
  run: string,
  a: Configuration,
  b: Configuration,
): Promise<[EndToEnd, EndToEnd]> {
  let n = 0;
  const start = (c: Configuration) =>
    startPipeline(
      kafkaUrl,
      redisUrl,
      `${run}-${c.name}-${(n += 1)}`,
      c.mode ?? DEFAULT_CONTENT_MODE,
      c.env ?? {},
    );
  const pipelines = await Promise.allSettled([start(a), start(b)]);
  try {
    const [pa, pb] = pipelines.map((p) => {
      if (p.status === 'rejected') throw p.reason;
      return p.value;
    });
    return await Promise.all([pa.measure(), pb.measure()]);
  } finally {
    await Promise.all(
      pipelines.map((p) => (p.status === 'fulfilled' ? p.value.stop() : undefined)),
    );
  }
}

/** What is compared: the baseline, then the end-to-end configurations. */
interface Configuration {
  readonly name: string;
  readonly description: string;
  readonly mode?: ContentMode;
  readonly env?: Record<string, string>;
}

/** The median of the figures measured (a failed round's NaN left out). */
const median = (values: readonly number[]): number =>
  medianOf(values.filter((v) => !Number.isNaN(v)));

/**
 * Round r's order: the list rotated by r, backwards in every other turn of the list. (Backwards
 * in odd rounds instead gave two configurations the same order in every round.)
 */
function orderOf<T>(list: readonly T[], round: number): T[] {
  const shift = round % list.length;
  const rotated = [...list.slice(shift), ...list.slice(0, shift)];
  return Math.floor(round / list.length) % 2 ? rotated.reverse() : rotated;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(1)} %`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The overheads reported: configuration `on` against configuration `off`. */
const COMPARISONS = [
  { title: 'metrics', on: 'defaults', off: 'off', note: () => '', word: 'overhead' },
  {
    title: 'metrics+tracing',
    on: 'traced',
    off: 'off',
    note: (sampler: string) => `, sampler ${sampler}`,
    word: 'overhead',
  },
  {
    title: 'tracing alone',
    on: 'traced',
    off: 'defaults',
    note: (sampler: string) => ` (metrics on in both, sampler ${sampler})`,
    word: 'overhead',
  },
  { title: 'encryption', on: 'defaults', off: 'plain', note: () => '', word: 'cost' },
  // The noise floor (BENCH_AA_DUETS=1): a configuration against itself, where any difference is noise.
  ...(process.env.BENCH_AA_DUETS === '1'
    ? [
        {
          title: 'A/A, protection off against itself',
          on: 'plain',
          off: 'plain',
          note: () => '',
          word: 'difference',
        },
      ]
    : []),
] as const;

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
  const benchStarted = performance.now();
  const sampler = `${SAMPLER}${SAMPLER_ARG === undefined ? '' : ` ${SAMPLER_ARG}`}`;
  console.log(
    `bench:ingest — ${N} touchpoints, ${IDENTITIES} identities, ${CHANNELS.length} channels, ${INGESTORS} ingestor(s), ${ROUNDS} rounds, traces sampled by ${sampler} (Kafka ${redactBusUrl(kafka.url)}, Redis ${redis.url}; load ${load()})`,
  );
  const sink = await otlpSink();
  // Tracing is off in every run but the traced one, whatever this shell's OTEL_* say.
  const untraced = { OTEL_TRACES_EXPORTER: 'none' };
  const configurations: Configuration[] = (
    [
      { name: 'bare', description: 'bare kafkajs (publish → consumed)' },
      {
        name: 'off',
        description: 'metrics and tracing off',
        env: { RAPPORT_METRICS: 'off', ...untraced },
      },
      {
        name: 'plain',
        description: 'protection off',
        env: { RAPPORT_PRIVACY: 'off', ...untraced },
      },
      { name: 'defaults', description: 'defaults (metrics, protection)', env: untraced },
      {
        name: 'traced',
        description: 'defaults + tracing',
        env: {
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
          OTEL_TRACES_SAMPLER: SAMPLER,
          ...(SAMPLER_ARG === undefined ? {} : { OTEL_TRACES_SAMPLER_ARG: SAMPLER_ARG }),
        },
      },
      ...(BINARY
        ? [
            {
              name: 'binary',
              description: 'defaults, binary mode',
              mode: 'binary',
              env: untraced,
            } as const,
          ]
        : []),
    ] as Configuration[]
  ).filter((c) => !ONLY || ONLY.includes(c.name));
  const rates = new Map<string, number[]>(configurations.map((c) => [c.name, []]));
  /** Services' CPU µs per touchpoint, by configuration and round. */
  const cpuPer = new Map<string, number[]>(configurations.map((c) => [c.name, []]));
  const width = Math.max(...configurations.map((c) => c.description.length));
  try {
    // The broker is a JVM: its first hundred thousand messages after a start run partly
    // interpreted (Kafka's own CPU per message falls about sixfold over the first few runs),
    // and the first end-to-end run of a bench was the slowest of it: one untimed run of each.
    const { rate: warm } = await bareKafkajs(kafka.url, `${run}-warm`);
    const warmE2e = await endToEnd(
      kafka.url,
      redis.url,
      `${run}-warme2e`,
      DEFAULT_CONTENT_MODE,
      untraced,
    ).catch(() =>
      endToEnd(kafka.url, redis.url, `${run}-warme2e-again`, DEFAULT_CONTENT_MODE, untraced),
    );
    console.log(
      `  warm-up (untimed): bare kafkajs ${int(warm)} messages/s, end to end ${int(warmE2e.rate)} touchpoints/s`,
    );
    let spanBytes = 0;
    for (let round = 0; round < ROUNDS; round++) {
      console.log(`  round ${round + 1} (load ${load()}):`);
      for (const configuration of orderOf(configurations, round)) {
        const name = `${run}-r${round + 1}-${configuration.name}`;
        const label = `    ${configuration.description.padEnd(width)}`;
        if (configuration.name === 'bare') {
          const { rate, cpu } = await bareKafkajs(kafka.url, name);
          rates.get('bare')?.push(rate);
          const total = [...cpu.values()].reduce((sum, s) => sum + s, 0);
          const each = [...cpu].map(([process, s]) => `${process} ${s.toFixed(1)}`).join(', ');
          console.log(
            `${label}  ${int(rate).padStart(7)} messages/s; ${int((total / N) * 1e6)} µs CPU per message in all (CPU s: ${each})`,
          );
          continue;
        }
        const bytesBefore = sink.bytes();
        const attempt = (suffix: string) =>
          endToEnd(
            kafka.url,
            redis.url,
            `${name}${suffix}`,
            configuration.mode ?? DEFAULT_CONTENT_MODE,
            configuration.env ?? {},
          );
        // On a saturated machine a service can miss its 60 s to start: that run is made again
        // (on fresh topics), once, rather than losing the rounds before it.
        const result = await attempt('').catch(async (error: unknown) => {
          console.log(`${label}  failed, once more: ${failure(error)}`);
          return attempt('-again');
        });
        if (configuration.name === 'traced') spanBytes += sink.bytes() - bytesBefore;
        rates.get(configuration.name)?.push(result.rate);
        cpuPer.get(configuration.name)?.push((result.serviceCpu / N) * 1e6);
        const cpu = [...result.cpu].map(([process, s]) => `${process} ${s.toFixed(1)}`).join(', ');
        const all = [...result.cpu.values()].reduce((sum, s) => sum + s, 0);
        const gc = [...result.gc]
          .map(
            ([name, { young, old }]) =>
              `${name} ${int(((young + old) / N) * 1e6)} (not young ${int((old / N) * 1e6)})`,
          )
          .join(', ');
        console.log(
          `${label}  ${int(result.rate).padStart(7)} touchpoints/s in ${result.elapsed.toFixed(2)} s; services ${int((result.serviceCpu / N) * 1e6)} µs CPU per touchpoint, ${int((all / N) * 1e6)} in all (CPU s: ${cpu})${gc ? `; GC pauses µs per touchpoint: ${gc}` : ''}`,
        );
      }
    }
    /** Duet figures by comparison (`on/off`): the on and off series, paired by duet. */
    const duets = new Map<string, [Series, Series]>();
    const byName = new Map(configurations.map((c) => [c.name, c]));
    for (const comparison of COMPARISONS) {
      const on = byName.get(comparison.on);
      const off = byName.get(comparison.off);
      if (!on || !off || DUETS === 0) continue;
      const figures = {
        on: { rates: [] as number[], cpu: [] as number[] },
        off: { rates: [] as number[], cpu: [] as number[] },
      };
      console.log(`  duets, ${comparison.title} (load ${load()}):`);
      for (let d = 0; d < DUETS; d++) {
        // The configuration measured first alternates: its publisher starts a moment earlier.
        const order = d % 2 ? [off, on] : [on, off];
        const name = `${run}-d${d + 1}-${comparison.on}-${comparison.off}`;
        const results = await duet(kafka.url, redis.url, name, order[0], order[1]).catch(
          async (error: unknown) => {
            console.log(`    failed, once more: ${failure(error)}`);
            return duet(kafka.url, redis.url, `${name}-again`, order[0], order[1]);
          },
        );
        const [onResult, offResult] = d % 2 ? [results[1], results[0]] : results;
        for (const [which, result] of [
          ['on', onResult],
          ['off', offResult],
        ] as const) {
          figures[which].rates.push(result.rate);
          figures[which].cpu.push((result.serviceCpu / N) * 1e6);
        }
        console.log(
          `    ${on.description} ${int(onResult.rate)}, ${off.description} ${int(offResult.rate)} touchpoints/s; services ${int((onResult.serviceCpu / N) * 1e6)} and ${int((offResult.serviceCpu / N) * 1e6)} µs CPU per touchpoint`,
        );
      }
      duets.set(`${comparison.on}/${comparison.off}`, [figures.on, figures.off]);
    }
    const sdk = await sdkRate(kafka.url, run);

    const ratesOf = (name: string) => rates.get(name) ?? [];
    const cpuOf = (name: string) => cpuPer.get(name) ?? [];
    /** Per-round ratios of a to b, and their median. */
    const paired = (a: readonly number[], b: readonly number[]) => {
      const ratios = a.map((x, i) => x / b[i]);
      return { ratios, median: median(ratios) };
    };
    console.log(
      `  medians of ${ROUNDS} rounds (per round in brackets; load ${load()}; ${((performance.now() - benchStarted) / 60_000).toFixed(1)} min in all):`,
    );
    for (const { name, description } of configurations) {
      const list = (values: number[]) => values.map(int).join(', ');
      const unit = name === 'bare' ? 'messages/s' : 'touchpoints/s';
      const cpu =
        name === 'bare'
          ? ''
          : `; services ${int(median(cpuOf(name)))} µs CPU per touchpoint [${list(cpuOf(name))}]`;
      console.log(
        `    ${description.padEnd(width)}  ${int(median(ratesOf(name))).padStart(7)} ${unit} [${list(ratesOf(name))}]${cpu}`,
      );
    }
    /** Per-round (or per-duet) figures of the configurations compared. */
    interface Series {
      readonly rates: readonly number[];
      readonly cpu: readonly number[];
    }
    const sequential = (name: string): Series => ({ rates: ratesOf(name), cpu: cpuOf(name) });
    /** An overhead line: throughput lost and services' CPU added, on against off, paired. */
    const overhead = (title: string, on: Series, off: Series, note = '', word = 'overhead') => {
      if (on.rates.length === 0 || off.rates.length === 0) return;
      const rate = paired(on.rates, off.rates);
      const cpu = paired(on.cpu, off.cpu);
      const each = (ratios: number[], f: (r: number) => number) =>
        ratios.map((r) => pct(f(r))).join(', ');
      console.log(
        `  ${title}: ${int(median(on.rates))} touchpoints/s on, ${int(median(off.rates))} off${note} ` +
          `(${((1 - rate.median) * 100).toFixed(1)} % ${word}; each ${each(rate.ratios, (r) => (1 - r) * 100)}); ` +
          `services' CPU ${pct((cpu.median - 1) * 100)} (each ${each(cpu.ratios, (r) => (r - 1) * 100)})`,
      );
    };
    console.log(
      `  end to end:   ${int(median(ratesOf('defaults')))} touchpoints/s (publish → visible in the Redis timeline, ${DEFAULT_CONTENT_MODE} mode)`,
    );
    if (BINARY)
      console.log(
        `  end to end, binary mode: ${int(median(ratesOf('binary')))} touchpoints/s (${paired(ratesOf('binary'), ratesOf('bare')).median.toFixed(2)}x of bare kafkajs)`,
      );
    console.log(
      `  adapter SDK:  ${int(sdk)} touchpoints/s published (validated locally), for reference`,
    );
    /** The overheads, each measured by `series(on, off)`. */
    const overheads = (series: (on: string, off: string) => [Series, Series] | undefined) => {
      for (const c of COMPARISONS) {
        const pair = series(c.on, c.off);
        if (pair) overhead(c.title, ...pair, c.note(sampler), c.word);
      }
    };
    console.log(`  overheads, rounds run one configuration after the other:`);
    // Run one after the other, a configuration against itself is the same runs: no A/A here.
    overheads((on, off) => (on === off ? undefined : [sequential(on), sequential(off)]));
    if (duets.size > 0) {
      console.log(
        `  overheads, ${DUETS} duet(s) each (both configurations at once, on the same machine):`,
      );
      overheads((on, off) => duets.get(`${on}/${off}`));
    }
    console.log(
      `  spans exported: ${(spanBytes / ROUNDS / 1e6).toFixed(2)} MB of OTLP/JSON per traced run`,
    );
    const e2e = median(ratesOf('defaults'));
    console.log(
      `ingest: ${Math.round(e2e)} touchpoints/s end-to-end, ${paired(ratesOf('defaults'), ratesOf('bare')).median.toFixed(2)}x of bare kafkajs`,
    );
  } finally {
    sink.close();
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
