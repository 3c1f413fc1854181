/**
 * A probe, not a benchmark: where the at-risk query's time goes, on the bench's 1,000,000
 * customers (the same seeded data as `bench:closeness`, loaded by pipelines of their own)
 * loaded once under PROBE_PREFIX into the Redis at PROBE_REDIS (6390) and kept: a second run
 * reuses them; PROBE_CLEAR=1 deletes them. PROBE_MODE:
 * - (none) `ClosenessQueries.atRisk`, the model's `quiet` alone and a `PING`, interleaved
 *   query by query, then Redis's view of the script (INFO commandstats, LATENCY HISTOGRAM);
 * - `attribute`: at-risk alone, each call's time beside the script's in Redis (SLOWLOG at a
 *   0 µs threshold) and this process's garbage collections that overlapped it;
 * - `phases`: as the bench times them (PROBE_PHASES, default `top,atRisk`);
 * - `alloc`: bytes this process allocates per call of each query.
 * PROBE_HISTORY=n first loads n more customers under a scratch prefix in this process (as
 * the bench did before timing), then deletes them. PROBE_QUERIES (2,000) calls each.
 * Run: `node --expose-gc [--trace-gc] -r @swc-node/register bench/closeness/at-risk-probe.ts`.
 */
import { readFileSync } from 'node:fs';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import Redis from 'ioredis';
import { DAY_MS, DEFAULT_CLOSENESS_CONFIG } from '@rapport/domain';
import { ClosenessQueries, contactDay, contactHour } from '@rapport/read-models';
import { RedisClosenessReadModel, unlinkKeysStartingWith } from '@rapport/read-models/internals';
import { seededCustomers } from './seeded-customers';

const CUSTOMERS = Number(process.env.PROBE_CUSTOMERS ?? 1_000_000);
const QUERIES = Number(process.env.PROBE_QUERIES ?? 2000);
const config = DEFAULT_CLOSENESS_CONFIG;
const asOf = Date.parse('2026-12-01T00:00:00Z');
const WINDOW = 30 * DAY_MS;

async function load(
  redis: Redis,
  model: RedisClosenessReadModel,
  customers = CUSTOMERS,
): Promise<void> {
  const byDay = new Map<number, [number, string][]>();
  const byHour = new Map<number, [number, string][]>();
  const add = (map: Map<number, [number, string][]>, k: number, v: [number, string]) => {
    let list = map.get(k);
    if (!list) map.set(k, (list = []));
    list.push(v);
  };
  let pipeline = redis.pipeline();
  let c = 0;
  for (const { id, rankKey: key, lastContactMs: last } of seededCustomers(
    customers,
    asOf,
    config,
  )) {
    pipeline.zadd(model.keys.rank, key, id);
    pipeline.hset(model.keys.last, id, String(last));
    add(byDay, contactDay(last), [key, id]);
    add(byHour, contactHour(last), [key, id]);
    if (c++ % 2000 === 1999) {
      await pipeline.exec();
      pipeline = redis.pipeline();
    }
  }
  for (const [day, list] of byDay) {
    pipeline.zadd(model.keys.day(day), ...list.flat());
    pipeline.zadd(model.keys.days, Math.max(...list.map(([k]) => k)), String(day));
  }
  for (const [hour, list] of byHour) pipeline.zadd(model.keys.hour(hour), ...list.flat());
  await pipeline.exec();
}

async function interleaved(
  redis: Redis,
  model: RedisClosenessReadModel,
  queries: ClosenessQueries,
) {
  const paths: [string, () => Promise<unknown>][] = [
    ['atRisk', () => queries.atRisk(WINDOW, 100, asOf)],
    ['quiet', () => model.quiet(asOf - WINDOW, 100)],
    ['ping', () => redis.ping()],
  ];
  await redis.config('RESETSTAT');
  const samples = paths.map(() => [] as number[]);
  for (let q = -200; q < QUERIES; q++)
    for (let p = 0; p < paths.length; p++) {
      const t = process.hrtime.bigint();
      await paths[p][1]();
      if (q >= 0) samples[p].push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  const pct = (s: number[], p: number) =>
    [...s].sort((a, b) => a - b)[Math.ceil((p / 100) * s.length) - 1];
  console.log('| path | p50 ms | p90 | p99 | max |');
  paths.forEach(([name], p) =>
    console.log(
      `| ${name} | ${[50, 90, 99, 100].map((x) => pct(samples[p], x).toFixed(3)).join(' | ')} |`,
    ),
  );
  const info = await redis.info('commandstats');
  console.log(
    info
      .split('\n')
      .filter((l) => /evalsha|zrevrange|hmget|get:/.test(l))
      .join('\n'),
  );
  console.log(JSON.stringify(await redis.call('LATENCY', 'HISTOGRAM', 'evalsha')));
}

/**
 * At-risk alone, as the bench times it, each call's time split into Redis's (the script's
 * SLOWLOG duration) and this process's garbage collections that overlapped it.
 */
async function attribute(redis: Redis, queries: ClosenessQueries) {
  const gcs: { start: number; end: number; kind: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      gcs.push({
        start: e.startTime,
        end: e.startTime + e.duration,
        kind: (e as unknown as { detail: { kind: number } }).detail.kind,
      });
  });
  observer.observe({ entryTypes: ['gc'] });
  await redis.config('SET', 'slowlog-log-slower-than', '0');
  await redis.config('SET', 'slowlog-max-len', String(40 * QUERIES + 1000));
  for (let q = 0; q < 200; q++) await queries.atRisk(WINDOW, 100, asOf);
  await redis.slowlog('RESET');
  const calls: { start: number; end: number }[] = [];
  console.log('timed: start');
  for (let q = 0; q < QUERIES; q++) {
    const start = performance.now();
    await queries.atRisk(WINDOW, 100, asOf);
    calls.push({ start, end: performance.now() });
  }
  console.log('timed: end');
  await redis.config('SET', 'slowlog-log-slower-than', '10000');
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  const log = (await redis.call('SLOWLOG', 'GET', String(40 * QUERIES + 1000))) as [
    number,
    number,
    number,
    string[],
  ][];
  const server = log
    .filter((e) => e[3][0].toLowerCase() === 'evalsha')
    .reverse()
    .map((e) => e[2] / 1000);
  const rows = calls.map((c, i) => {
    const gc = gcs
      .filter((g) => g.end > c.start && g.start < c.end)
      .reduce((sum, g) => sum + Math.min(g.end, c.end) - Math.max(g.start, c.start), 0);
    return { ms: c.end - c.start, server: server[i] ?? NaN, gc };
  });
  const sorted = [...rows].sort((a, b) => a.ms - b.ms);
  const at = (p: number) => sorted[Math.ceil((p / 100) * sorted.length) - 1];
  const serverSorted = rows.map((r) => r.server).sort((a, b) => a - b);
  console.log(
    `at-risk alone: p50 ${at(50).ms.toFixed(3)} p99 ${at(99).ms.toFixed(3)} ms; script in Redis p50 ${serverSorted[Math.ceil(0.5 * serverSorted.length) - 1].toFixed(3)} p99 ${serverSorted[Math.ceil(0.99 * serverSorted.length) - 1].toFixed(3)} ms`,
  );
  console.log(
    `gcs during the timed calls: ${gcs.length}, kinds ${JSON.stringify(gcs.reduce((m, g) => ({ ...m, [g.kind]: (m[g.kind] ?? 0) + 1 }), {} as Record<number, number>))}, total ${gcs.reduce((s, g) => s + g.end - g.start, 0).toFixed(1)} ms`,
  );
  console.log('slowest 2 %: ms | script in Redis | GC overlapping');
  for (const r of sorted.slice(Math.floor(0.98 * sorted.length)))
    console.log(`${r.ms.toFixed(3)} | ${r.server.toFixed(3)} | ${r.gc.toFixed(3)}`);
}

/** Bytes this process allocates per call of each path (calls during which a GC ran are left out). */
async function allocation(redis: Redis, model: RedisClosenessReadModel, queries: ClosenessQueries) {
  const paths: [string, () => Promise<unknown>][] = [
    ['atRisk', () => queries.atRisk(WINDOW, 100, asOf)],
    ['quiet', () => model.quiet(asOf - WINDOW, 100)],
    ['top', () => queries.top(100, asOf)],
    ['ping', () => redis.ping()],
  ];
  for (const [name, path] of paths) {
    for (let i = 0; i < 200; i++) await path();
    const deltas: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const before = process.memoryUsage().heapUsed;
      await path();
      const delta = process.memoryUsage().heapUsed - before;
      if (delta > 0) deltas.push(delta);
    }
    deltas.sort((a, b) => a - b);
    console.log(
      `${name}: median ${(deltas[deltas.length >> 1] / 1024).toFixed(1)} KB allocated per call (${deltas.length} calls without GC)`,
    );
  }
}

/** As the bench times them: top-100 with its baselines in rounds, then at-risk alone (PROBE_PHASES: which). */
async function phases(redis: Redis, model: RedisClosenessReadModel, queries: ClosenessQueries) {
  const pct = (s: number[], p: number) =>
    [...s].sort((a, b) => a - b)[Math.ceil((p / 100) * s.length) - 1];
  const run = async (name: string, actions: (() => Promise<unknown>)[]) => {
    console.log(`phase: ${name}`);
    const samples = actions.map(() => [] as number[]);
    for (let q = -200; q < QUERIES; q++)
      for (let a = 0; a < actions.length; a++) {
        const t = process.hrtime.bigint();
        await actions[a]();
        if (q >= 0) samples[a].push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    console.log(
      `phase end: ${name}: ${samples.map((s) => `p50 ${pct(s, 50).toFixed(3)} p99 ${pct(s, 99).toFixed(3)}`).join('; ')}`,
    );
  };
  for (const phase of (process.env.PROBE_PHASES ?? 'top,atRisk').split(',')) {
    if (phase === 'top')
      await run('top', [
        () => queries.top(100, asOf),
        () => redis.zrevrange(model.keys.rank, 0, 99, 'WITHSCORES'),
        () => redis.ping(),
      ]);
    if (phase === 'atRisk') await run('atRisk', [() => queries.atRisk(WINDOW, 100, asOf)]);
    if (phase === 'atRiskPing')
      await run('atRiskPing', [() => queries.atRisk(WINDOW, 100, asOf), () => redis.ping()]);
  }
}

async function main() {
  const redis = new Redis(process.env.PROBE_REDIS ?? 'redis://127.0.0.1:6390');
  const prefix = process.env.PROBE_PREFIX ?? 'probe-at-risk:';
  const model = new RedisClosenessReadModel(redis, config, { prefix });
  const queries = new ClosenessQueries(model);
  if (process.env.PROBE_CLEAR) {
    await unlinkKeysStartingWith(redis, prefix);
    await redis.quit();
    return;
  }
  if ((await redis.exists(model.keys.days)) === 0) {
    const t = Date.now();
    await load(redis, model);
    console.log(`loaded ${CUSTOMERS} customers in ${Date.now() - t} ms`);
  }
  if (process.env.PROBE_HISTORY) {
    const scratch = new RedisClosenessReadModel(redis, config, { prefix: `${prefix}scratch:` });
    await load(redis, scratch, Number(process.env.PROBE_HISTORY));
    await unlinkKeysStartingWith(redis, `${prefix}scratch:`);
  }
  (globalThis as { gc?: () => void }).gc?.();
  if (process.env.PROBE_MODE === 'attribute') await attribute(redis, queries);
  else if (process.env.PROBE_MODE === 'phases') await phases(redis, model, queries);
  else if (process.env.PROBE_MODE === 'alloc') await allocation(redis, model, queries);
  else await interleaved(redis, model, queries);
  console.log(`load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  await redis.quit();
}
main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
