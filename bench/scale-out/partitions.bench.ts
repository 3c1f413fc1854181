/**
 * `npm run bench:scale-out`: the measurement behind docs/scaling.md — what one projector
 * costs when the read models are split over N projectors by customer, each following the
 * whole identity-graph stream.
 *
 * One log (`logWorkload` of @rapport/testing: BENCH_SCALE_TOUCHPOINTS touchpoints and survey
 * answers over BENCH_SCALE_IDENTITIES people, their identity decisions and a few ideas) is
 * generated once. For each N in BENCH_SCALE_PARTITIONS (1,2,4,8), partition 0 of N is
 * copied into a log of its own: the events whose closeness bucket (a touchpoint's filing
 * identity, an idea event's customer) hashes to partition 0, plus every identity-graph
 * event, which every partition has to follow (whose is a bucket is the graph's answer).
 * Each partition log is rebuilt through the timeline and closeness projections into Redis
 * (the normal `ProjectionRunner`, as `rapport rebuild` does) and timed: the speedup of one
 * partition against the whole log, beside the ideal N, and what share of its events the graph
 * stream is. Every partition of a split does the same work for its share, so partition 0
 * stands for each of them (they would run on machines of their own).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CLOSENESS_CONFIG, identityGraphEventFrom, toClosenessFact } from '@rapport/domain';
import { type AppendRequest, type RecordedEvent, SqliteEventStore } from '@rapport/event-store';
import {
  closenessProjection,
  ProjectionRunner,
  type ProjectionTarget,
  timelineProjection,
} from '@rapport/read-models';
import {
  RedisClosenessReadModel,
  RedisTimelineReadModel,
  unlinkKeysStartingWith,
} from '@rapport/read-models/internals';
import { type LogWorkloadCounts, logWorkload, obtainService } from '@rapport/testing';
import Redis from 'ioredis';
import { redisCpuSeconds } from '../rebuild/redis-cpu';
import { positiveInteger } from '../store/workload';

const TOUCHPOINTS = positiveInteger('BENCH_SCALE_TOUCHPOINTS', 200_000);
const IDENTITIES = positiveInteger('BENCH_SCALE_IDENTITIES', 5_000);
const SPLITS = (process.env.BENCH_SCALE_PARTITIONS ?? '1,2,4,8').split(',').map(Number);
const BATCH = 1000;
const RUN = `rapport-bench-scale:${Date.now().toString(36)}:`;

/** Which of `n` partitions a bucket (an identity key, `customer:<id>`) belongs to. */
function partitionOf(bucket: string, n: number): number {
  return createHash('sha1').update(bucket).digest().readUInt32BE(0) % n;
}

type Kind = 'graph' | 'bucketed' | 'other';
function kindOf(event: RecordedEvent): { kind: Kind; bucket?: string } {
  if (identityGraphEventFrom(event)) return { kind: 'graph' };
  const fact = toClosenessFact(event);
  return fact ? { kind: 'bucketed', bucket: fact.bucket } : { kind: 'other' };
}

/** Copies partition 0 of `n` into a log of its own; returns its head and graph events. */
async function copyPartition(
  source: SqliteEventStore,
  path: string,
  n: number,
): Promise<{ head: number; graphEvents: number }> {
  const target = new SqliteEventStore({ path });
  let after = 0;
  let graphEvents = 0;
  for (;;) {
    const page = await source.readAll({ after, maxCount: 5000 });
    if (page.length === 0) break;
    after = page[page.length - 1].position;
    const requests: AppendRequest[] = [];
    for (const event of page) {
      const { kind, bucket } = kindOf(event);
      // Events that bear on neither (idea status changes, notes…) go with their stream.
      const key = kind === 'bucketed' ? (bucket as string) : event.streamId;
      if (kind === 'graph') graphEvents += 1;
      else if (partitionOf(key, n) !== 0) continue;
      requests.push({
        streamId: event.streamId,
        expectedRevision: 'any',
        events: [{ id: event.id, type: event.type, data: event.data, metadata: event.metadata }],
      });
    }
    for (const outcome of await target.appendMany(requests)) if (!outcome.ok) throw outcome.error;
  }
  const head = await target.headPosition();
  await target.close();
  return { head, graphEvents };
}

/** Rebuilds one projection from a log into a fresh prefix; seconds of wall clock and CPU. */
async function rebuild(
  path: string,
  redis: Redis,
  prefix: string,
  target: ProjectionTarget,
  head: number,
): Promise<{ seconds: number; nodeSeconds: number; redisSeconds: number }> {
  const store = new SqliteEventStore({ path });
  const runner = new ProjectionRunner(store, target, { batchSize: BATCH });
  const redisBefore = await redisCpuSeconds(redis);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await runner.start();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const redisSeconds = (await redisCpuSeconds(redis)) - redisBefore;
  await runner.stop();
  await store.close();
  if ((await target.checkpoint()) !== head) throw new Error(`${target.name}: not at ${head}`);
  await unlinkKeysStartingWith(redis, prefix);
  return { seconds, nodeSeconds: (cpu.user + cpu.system) / 1e6, redisSeconds };
}

async function main(): Promise<void> {
  const redisService = await obtainService('redis', (line) => console.log(`  ${line}`));
  if (!redisService.ok) throw new Error(`bench:scale-out needs Redis: ${redisService.reason}`);
  const redis = new Redis(redisService.url, { maxRetriesPerRequest: 3 });
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-scale-'));
  const projections = [
    [
      'timeline',
      (prefix: string) => timelineProjection(new RedisTimelineReadModel(redis, { prefix })),
    ],
    [
      'closeness',
      (prefix: string) =>
        closenessProjection(
          new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, { prefix }),
        ),
    ],
  ] as const;
  try {
    const whole = new SqliteEventStore({ path: join(dir, 'whole.db') });
    const counts: LogWorkloadCounts = { touchpoints: 0, identityEvents: 0, ideaEvents: 0 };
    for (const batch of logWorkload({ touchpoints: TOUCHPOINTS, identities: IDENTITIES }, counts))
      for (const outcome of await whole.appendMany(batch)) if (!outcome.ok) throw outcome.error;
    const total = await whole.headPosition();
    console.log(
      `bench:scale-out — ${total} events (${counts.touchpoints} touchpoints and survey answers, ${counts.identityEvents} identity decisions, ${counts.ideaEvents} idea events); Redis ${redisService.url}`,
    );
    console.log('');
    console.log(
      '| partitions | events in partition 0 | of which graph | projection | seconds | node CPU s | redis CPU s | speedup | ideal |',
    );
    console.log('|---:|---:|---:|---|---:|---:|---:|---:|---:|');
    // Untimed: the smallest partition once through both projections, so that the first
    // measurement (the whole log) does not pay for the compiler's warm-up alone.
    const warmPath = join(dir, 'warm-up.db');
    const warm = await copyPartition(whole, warmPath, Math.max(...SPLITS));
    for (const make of projections) {
      const prefix = `${RUN}warm-up:`;
      await rebuild(warmPath, redis, prefix, make[1](prefix), warm.head);
    }
    const baseline = new Map<string, number>();
    const worst = new Map<number, number>();
    for (const n of SPLITS) {
      const path = join(dir, `partition-of-${n}.db`);
      const { head, graphEvents } = await copyPartition(whole, path, n);
      for (const [name, make] of projections) {
        const prefix = `${RUN}${n}:${name}:`;
        const m = await rebuild(path, redis, prefix, make(prefix), head);
        if (n === 1) baseline.set(name, m.seconds);
        const speedup = (baseline.get(name) ?? m.seconds) / m.seconds;
        worst.set(n, Math.min(worst.get(n) ?? Infinity, speedup));
        console.log(
          `| ${n} | ${head} | ${graphEvents} (${((100 * graphEvents) / head).toFixed(1)} %) | ${name} | ${m.seconds.toFixed(1)} | ${m.nodeSeconds.toFixed(1)} | ${m.redisSeconds.toFixed(1)} | ${speedup.toFixed(2)}x | ${n}x |`,
        );
      }
    }
    await whole.close();
    console.log('');
    console.log(
      `scale-out: ${SPLITS.map((n) => `${n} partitions ${worst.get(n)?.toFixed(2)}x`).join(', ')} (slowest projection of partition 0 against the whole log)`,
    );
  } finally {
    await unlinkKeysStartingWith(redis, RUN);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
    await redisService.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
