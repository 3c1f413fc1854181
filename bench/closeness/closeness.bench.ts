/**
 * `npm run bench:closeness`: top-100 and at-risk (30-day window) query latencies on
 * 1,000,000 customers in Redis, through `ClosenessQueries` over `RedisClosenessReadModel`,
 * with the latency of a bare `ZREVRANGE` of 100 and of a `PING` measured in the same run,
 * interleaved with top-100 (each round runs the three in a shuffled order); at-risk is timed after.
 *
 * Customers get 1–4 touchpoints (random channel, direction, sentiment) over the year before
 * `asOf`, folded by the pure domain; their ranking keys, last contacts and at-risk index (by
 * day and by hour of last contact) are loaded with pipelines into the model's own key layout
 * under a dedicated prefix, which is deleted at the end. (Per-customer states and facts, which
 * only the single-customer endpoint reads, are not loaded.) All of that happens in a worker
 * thread, so that the timing process never folded the million customers (ADR 0054); each query
 * is then checked against the answer computed there over all customers before timing.
 *
 * BENCH_CLOSENESS_CUSTOMERS (1,000,000) and BENCH_CLOSENESS_QUERIES (2,000) size the run;
 * BENCH_CLOSENESS_LOAD_IN_PROCESS=1 loads in the timing process instead, as before ADR 0054.
 */
import { randomUUID } from 'node:crypto';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Redis from 'ioredis';
import { DAY_MS, DEFAULT_CLOSENESS_CONFIG } from '@rapport/domain';
import { ClosenessQueries, contactDay, contactHour } from '@rapport/read-models';
import { RedisClosenessReadModel } from '@rapport/read-models/internals';
import { obtainService, seededRandom } from '@rapport/testing';
import { type SeededCustomer as Customer, seededCustomers } from './seeded-customers';

const CUSTOMERS = Number(process.env.BENCH_CLOSENESS_CUSTOMERS ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_CLOSENESS_QUERIES ?? 2_000);
const CHUNK = 2_000;
const config = DEFAULT_CLOSENESS_CONFIG;
const asOf = Date.parse('2026-12-01T00:00:00Z');
const WINDOW = 30 * DAY_MS;

/** The customers, the same every run. */
function generate(): Customer[] {
  return [...seededCustomers(CUSTOMERS, asOf, config)];
}

/** Writes the customers into the model's layout: ranking, last contacts, at-risk index. */
async function load(redis: Redis, model: RedisClosenessReadModel, customers: Customer[]) {
  const byDay = new Map<number, Customer[]>();
  const byHour = new Map<number, Customer[]>();
  const group = (map: Map<number, Customer[]>, key: number, c: Customer) => {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(c);
  };
  for (const c of customers) {
    group(byDay, contactDay(c.lastContactMs), c);
    group(byHour, contactHour(c.lastContactMs), c);
  }
  // Commands of CHUNK members each, sent in pipelines of 50 commands, 4 pipelines in flight.
  const commands: [string, (string | number)[]][] = [];
  const members = (list: Customer[], key: string) => {
    for (let i = 0; i < list.length; i += CHUNK)
      commands.push(['zadd', [key, ...list.slice(i, i + CHUNK).flatMap((c) => [c.rankKey, c.id])]]);
  };
  members(customers, model.keys.rank);
  for (let i = 0; i < customers.length; i += CHUNK)
    commands.push([
      'hset',
      [
        model.keys.last,
        ...customers.slice(i, i + CHUNK).flatMap((c) => [c.id, String(c.lastContactMs)]),
      ],
    ]);
  for (const [day, list] of byDay) {
    members(list, model.keys.day(day));
    const highest = list.reduce((max, c) => Math.max(max, c.rankKey), -Infinity);
    commands.push(['zadd', [model.keys.days, highest, String(day)]]);
  }
  for (const [hour, list] of byHour) members(list, model.keys.hour(hour));
  let next = 0;
  const sender = async () => {
    while (next < commands.length) {
      const batch = commands.slice(next, (next += 50));
      const pipeline = redis.pipeline();
      for (const [name, args] of batch) pipeline.call(name, ...args);
      const results = (await pipeline.exec()) ?? [];
      for (const [error] of results) if (error) throw error;
    }
  };
  await Promise.all([sender(), sender(), sender(), sender()]);
}

/** Ranking order of the model: highest key first, ties by id descending. */
const rankOrder = (a: Customer, b: Customer) =>
  a.rankKey !== b.rankKey ? b.rankKey - a.rankKey : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

/**
 * Latencies of each action over `times` rounds. Every round runs every action once, in an
 * order shuffled afresh (seeded), so each query and its baselines see the same machine and
 * follow each other equally often: this virtual machine changes speed by itself, a query
 * timed after another would compare two moments, and a fixed order would leave the
 * collection of one action's garbage to the action after it. The first 200 rounds warm up.
 */
async function interleavedLatencies(
  times: number,
  actions: readonly (() => Promise<unknown>)[],
): Promise<{ ms: number[]; cpuUs: number }[]> {
  const out = actions.map(() => ({ ms: [] as number[], cpuUs: 0 }));
  const random = seededRandom(21);
  const order = actions.map((_, i) => i);
  const warmUp = Math.min(200, times);
  for (let round = 0; round < warmUp + times; round += 1) {
    for (let i = order.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const which of order) {
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      await actions[which]();
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      if (round < warmUp) continue;
      const used = process.cpuUsage(cpu);
      out[which].ms.push(elapsed);
      out[which].cpuUs += used.user + used.system;
    }
  }
  return out.map(({ ms, cpuUs }) => ({ ms: ms.sort((a, b) => a - b), cpuUs: cpuUs / times }));
}
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const ms = (value: number) => value.toFixed(3);

/** The top-100 and at-risk ids computed in process over every customer, and how long it took. */
interface Loaded {
  readonly generateMs: number;
  readonly loadMs: number;
  readonly expectTop: string[];
  readonly expectQuiet: string[];
}

/** Generates and loads the customers, and computes both answers in process over all of them. */
async function generateAndLoad(url: string, prefix: string): Promise<Loaded> {
  const redis = new Redis(url);
  try {
    const model = new RedisClosenessReadModel(redis, config, { prefix });
    let t = Date.now();
    const customers = generate();
    const generateMs = Date.now() - t;
    t = Date.now();
    await load(redis, model, customers);
    const loadMs = Date.now() - t;
    const sorted = [...customers].sort(rankOrder);
    const quietBound = asOf - WINDOW;
    return {
      generateMs,
      loadMs,
      expectTop: sorted.slice(0, 100).map((c) => c.id),
      expectQuiet: sorted
        .filter((c) => c.lastContactMs <= quietBound)
        .slice(0, 100)
        .map((c) => c.id),
    };
  } finally {
    await redis.quit();
  }
}

/**
 * `generateAndLoad` in a worker thread — an isolate of its own, gone before the timing — unless
 * BENCH_CLOSENESS_LOAD_IN_PROCESS=1. Folding and sending a million customers leaves V8's
 * allocation-site feedback behind in the isolate that does it: in the timing process, sites the
 * queries share with that work had been switched to allocating in the old generation, and every
 * scavenge during the at-risk rounds then promoted about 1.5 MB and took 10–30 ms instead of
 * 1–2 ms (`--trace-gc`; with `--no-allocation-site-pretenuring` the heap stayed flat). A query
 * service never folds the whole population, so the queries are timed in an isolate that did not
 * (docs/decisions/0054-bench-closeness-loads-in-a-worker.md).
 */
async function generateAndLoadApart(url: string, prefix: string): Promise<Loaded> {
  if (process.env.BENCH_CLOSENESS_LOAD_IN_PROCESS === '1') return generateAndLoad(url, prefix);
  const worker = new Worker(__filename, { workerData: { url, prefix } });
  return new Promise<Loaded>((resolve, reject) => {
    let loaded: Loaded | undefined;
    worker.once('message', (message: Loaded) => (loaded = message));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      loaded ? resolve(loaded) : reject(new Error(`the loading worker exited with ${code}`)),
    );
  });
}

/** Loads the customers, then checks both queries against the in-process answers. */
async function loadAndCheck(url: string, model: RedisClosenessReadModel, prefix: string) {
  const { generateMs, loadMs, expectTop, expectQuiet } = await generateAndLoadApart(url, prefix);
  console.log(`generated ${CUSTOMERS.toLocaleString('en')} customers in ${generateMs} ms`);
  console.log(
    `loaded into Redis (${prefix}) in ${loadMs} ms: ${Math.round(CUSTOMERS / (loadMs / 1000)).toLocaleString('en')} customers/s`,
  );
  // Correctness first: the same answers as sorting and filtering everybody in process.
  const top = await model.top(100);
  const quiet = await model.quiet(asOf - WINDOW, 100);
  if (JSON.stringify(top.map((r) => r.customerId)) !== JSON.stringify(expectTop))
    throw new Error('top-100 from Redis differs from sorting every customer in process');
  if (JSON.stringify(quiet.map((r) => r.customerId)) !== JSON.stringify(expectQuiet))
    throw new Error('at-risk from Redis differs from filtering every customer in process');
  console.log('checked: top-100 and at-risk equal the in-process answers over all customers');
}

async function main(): Promise<void> {
  const service = await obtainService('redis', (line) => console.log(`[services] ${line}`));
  if (!service.ok) throw new Error(`bench:closeness needs Redis: ${service.reason}`);
  const redis = new Redis(service.url);
  const prefix = `rapport-bench-closeness:${randomUUID()}:`;
  const model = new RedisClosenessReadModel(redis, config, { prefix });
  const queries = new ClosenessQueries(model);
  try {
    await loadAndCheck(service.url, model, prefix);
    // Whatever loading left (everything, with BENCH_CLOSENESS_LOAD_IN_PROCESS=1) is collected
    // before timing: the latencies measure the queries, not a major GC of a heap no service holds.
    (globalThis as { gc?: () => void }).gc?.();

    // At-risk is timed apart, so that its collections land on it alone, not on the baselines
    // (it allocates about as much per call as top-100 now: 127 KB against 116 KB, ADR 0054).
    const [top, zrange, ping] = await interleavedLatencies(QUERIES, [
      () => queries.top(100, asOf),
      () => redis.zrevrange(model.keys.rank, 0, 99, 'WITHSCORES'),
      () => redis.ping(),
    ]);
    const [atRisk] = await interleavedLatencies(QUERIES, [() => queries.atRisk(WINDOW, 100, asOf)]);

    console.log(
      `\n${QUERIES} rounds of top-100 and the baselines in a shuffled order, then of at-risk; one client, sequential (ms; CPU of this process per query):`,
    );
    console.log('| query | p50 | p99 | max | p99 / ZREVRANGE 100 | p99 / PING | node CPU µs |');
    console.log('|---|---|---|---|---|---|---|');
    const zr99 = pct(zrange.ms, 99);
    const ping99 = pct(ping.ms, 99);
    for (const [name, { ms: sample, cpuUs }] of [
      ['top 100 (ClosenessQueries.top)', top],
      ['at-risk 100, window 30 d (ClosenessQueries.atRisk)', atRisk],
      ['baseline: ZREVRANGE 0 99 WITHSCORES', zrange],
      ['baseline: PING', ping],
    ] as const) {
      const p99 = pct(sample, 99);
      console.log(
        `| ${name} | ${ms(pct(sample, 50))} | ${ms(p99)} | ${ms(sample[sample.length - 1])} | ${(p99 / zr99).toFixed(2)}x | ${(p99 / ping99).toFixed(2)}x | ${cpuUs.toFixed(0)} |`,
      );
    }
    console.log(
      `closeness: top100 p99 ${ms(pct(top.ms, 99))} ms, ${(pct(top.ms, 99) / zr99).toFixed(2)}x of bare ZREVRANGE; at-risk p99 ${ms(pct(atRisk.ms, 99))} ms`,
    );
  } finally {
    await model.clear();
    await redis.quit();
    await service.stop();
  }
}

if (isMainThread)
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
else {
  const { url, prefix } = workerData as { url: string; prefix: string };
  generateAndLoad(url, prefix).then(
    (loaded) => parentPort?.postMessage(loaded),
    (error) => {
      throw error;
    },
  );
}
