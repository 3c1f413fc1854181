/**
 * `npm run bench:rebuild`: how fast each projection rebuilds from the log into a fresh
 * Redis prefix — the path `rapport rebuild` takes: the normal `ProjectionRunner` over the
 * Redis read model constructed at a new prefix — from a SQLite log and from a PostgreSQL
 * log of the same events.
 *
 * The log (`logWorkload` of @rapport/testing): BENCH_REBUILD_TOUCHPOINTS (1,000,000) touchpoints and
 * survey answers over BENCH_REBUILD_IDENTITIES (20,000) people, with the identity decisions
 * identity resolution would append (a first-seen link per person, links when a phone comes
 * along) and a few ideas with votes. SQLite is seeded with `appendMany` in batches of
 * 5,000; PostgreSQL (a fresh schema) by copying the SQLite log with `migrateLog`.
 *
 * Baseline, in the same run and on the same log: the bare catch-up read (`subscribeToAll`
 * through the upcasting store, as the runner reads, with no projection), printed beside
 * each rebuild rate as a ratio. Each measurement opens the store afresh (no warm cache of
 * recent events). The Redis keys (prefix `rapport-bench-rebuild:<run>:`) and the PostgreSQL
 * schema are removed at the end. BENCH_REBUILD_LOGS=sqlite (or postgres) measures one log only;
 * BENCH_REBUILD_PROJECTIONS=closeness (or a list: timeline,ideas) only those projections.
 * BENCH_REBUILD_CPU_PROFILE=<dir> writes a V8 CPU profile of each rebuild (the rebuild only,
 * not the seeding) to <dir>/<log>-<projection>.cpuprofile.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CLOSENESS_CONFIG } from '@rapport/domain';
import {
  type EventStore,
  migrateLog,
  openEventStore,
  postgresEventStoreFromUrl,
  SqliteEventStore,
} from '@rapport/event-store';
import {
  closenessProjection,
  ideaBacklogProjection,
  ProjectionRunner,
  type ProjectionTarget,
  timelineProjection,
} from '@rapport/read-models';
import {
  RedisClosenessReadModel,
  RedisIdeaBacklogReadModel,
  RedisTimelineReadModel,
  unlinkKeysStartingWith,
} from '@rapport/read-models/internals';
import { type LogWorkloadCounts, logWorkload, obtainService } from '@rapport/testing';
import Redis from 'ioredis';
import { Client } from 'pg';
import { positiveInteger } from '../store/workload';
import { commandCostPerEvent, redisCommandStats, redisCpuSeconds } from './redis-cpu';

const TOUCHPOINTS = positiveInteger('BENCH_REBUILD_TOUCHPOINTS', 1_000_000);
const IDENTITIES = positiveInteger('BENCH_REBUILD_IDENTITIES', 20_000);
const LOGS = (process.env.BENCH_REBUILD_LOGS ?? 'sqlite,postgres').split(',');
/** Events per batch, as `rapport rebuild` reads them by default (`--batch`). */
const BATCH = positiveInteger('BENCH_REBUILD_BATCH', 1000);
const ONLY = (process.env.BENCH_REBUILD_PROJECTIONS ?? 'timeline,closeness,ideas').split(',');
const CPU_PROFILE = process.env.BENCH_REBUILD_CPU_PROFILE;
const RUN = `rapport-bench-rebuild:${Date.now().toString(36)}:`;

const PROJECTIONS: {
  name: string;
  target(redis: Redis, prefix: string): ProjectionTarget;
}[] = [
  {
    name: 'timeline',
    target: (redis, prefix) => timelineProjection(new RedisTimelineReadModel(redis, { prefix })),
  },
  {
    name: 'closeness',
    target: (redis, prefix) =>
      closenessProjection(new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, { prefix })),
  },
  {
    name: 'ideas',
    target: (redis, prefix) =>
      ideaBacklogProjection(new RedisIdeaBacklogReadModel(redis, { prefix })),
  },
];

async function seedSqlite(path: string): Promise<number> {
  const store = new SqliteEventStore({ path });
  const counts: LogWorkloadCounts = { touchpoints: 0, identityEvents: 0, ideaEvents: 0 };
  const started = Date.now();
  for (const batch of logWorkload({ touchpoints: TOUCHPOINTS, identities: IDENTITIES }, counts)) {
    for (const outcome of await store.appendMany(batch)) if (!outcome.ok) throw outcome.error;
    progress(`seeding SQLite: ${counts.touchpoints} / ${TOUCHPOINTS} touchpoints`);
  }
  const head = await store.headPosition();
  await store.close();
  console.log(
    `\r  SQLite log: ${head} events (${counts.touchpoints} touchpoints and survey answers, ${counts.identityEvents} identity decisions, ${counts.ideaEvents} idea events) in ${seconds(started)} s`,
  );
  return head;
}

async function seedPostgres(sqlitePath: string, url: string): Promise<void> {
  const source = new SqliteEventStore({ path: sqlitePath });
  const target = await postgresEventStoreFromUrl(url);
  const started = Date.now();
  const result = await migrateLog(source, target, {
    batchSize: 5000,
    onProgress: (p) => progress(`copying to PostgreSQL: ${p.checkpoint}`),
  });
  await Promise.all([source.close(), target.close()]);
  console.log(`\r  PostgreSQL log: ${result.handled} events copied in ${seconds(started)} s`);
}

/** The bare catch-up read: every event through `subscribeToAll`, nothing done with it. */
async function catchUpRead(url: string, head: number, batchSize: number): Promise<number> {
  const store = await openEventStore(url);
  const started = process.hrtime.bigint();
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    const subscription = store.subscribeToAll(
      { after: 0, batchSize },
      {
        onEvents: (events) => {
          seen += events.length;
        },
        onCaughtUp: () => resolve(),
      },
    );
    subscription.finished.catch(reject);
  });
  const rate = ratePerSecond(seen, started);
  await store.close();
  if (seen !== head) throw new Error(`the catch-up read saw ${seen} events, the log holds ${head}`);
  return rate;
}

interface Measured {
  readonly rate: number;
  /** CPU of this process (the runner, the projection, the client) per event. */
  readonly nodeUs: number;
  /** CPU of the Redis server per event (a shared server: anyone else's work counts too). */
  readonly redisUs: number;
  /** Redis's most expensive commands over the rebuild, per event (INFO commandstats). */
  readonly commands: string;
}

/** One projection rebuilt into a fresh prefix by the ProjectionRunner, until caught up. */
async function rebuild(
  name: string,
  url: string,
  redis: Redis,
  prefix: string,
  projection: (typeof PROJECTIONS)[number],
  head: number,
): Promise<Measured> {
  const store: EventStore = await openEventStore(url);
  const target = projection.target(redis, prefix);
  const runner = new ProjectionRunner(store, target, { batchSize: BATCH });
  const profiler = CPU_PROFILE ? await startProfiling() : undefined;
  const redisBefore = await redisCpuSeconds(redis);
  const statsBefore = await redisCommandStats(redis);
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await runner.start();
  const rate = ratePerSecond(head, started);
  const cpu = process.cpuUsage(cpuBefore);
  const redisSeconds = (await redisCpuSeconds(redis)) - redisBefore;
  const commands = commandCostPerEvent(statsBefore, await redisCommandStats(redis), head);
  if (profiler && CPU_PROFILE)
    await profiler(join(CPU_PROFILE, `${name}-${projection.name}.cpuprofile`));
  await runner.stop();
  await store.close();
  const checkpoint = await target.checkpoint();
  if (checkpoint !== head)
    throw new Error(`${projection.name}: rebuilt up to ${checkpoint}, the log head is ${head}`);
  return {
    rate,
    nodeUs: (cpu.user + cpu.system) / head,
    redisUs: (redisSeconds * 1e6) / head,
    commands,
  };
}

/** Starts the V8 profiler; the function returned stops it and writes the profile. */
async function startProfiling(): Promise<(path: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async (path) => {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify(profile));
    session.disconnect();
  };
}

/** A progress line rewritten in place on a terminal; nothing when the output is a file. */
function progress(line: string): void {
  if (process.stdout.isTTY) process.stdout.write(`\r  ${line}`);
}

function ratePerSecond(events: number, started: bigint): number {
  const ns = Number(process.hrtime.bigint() - started);
  return Math.round(events / (ns / 1e9));
}

function seconds(started: number): string {
  return ((Date.now() - started) / 1000).toFixed(1);
}

async function main(): Promise<void> {
  const log = (line: string) => console.log(`  ${line}`);
  const redisService = await obtainService('redis', log);
  if (!redisService.ok) throw new Error(`bench:rebuild needs Redis: ${redisService.reason}`);
  const postgres = LOGS.includes('postgres') ? await obtainService('postgres', log) : null;
  if (postgres && !postgres.ok)
    throw new Error(`bench:rebuild needs PostgreSQL: ${postgres.reason}`);
  const redis = new Redis(redisService.url, { maxRetriesPerRequest: 3 });
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-rebuild-'));
  const schema = `bench_rebuild_${Date.now().toString(36)}`;
  const sqlitePath = join(dir, 'log.db');
  const results = new Map<string, number>();
  const baselines = new Map<string, number>();
  const logs: { name: string; url: string }[] = [];
  const commandLines: string[] = [];
  console.log(
    `bench:rebuild — ${TOUCHPOINTS} touchpoints over ${IDENTITIES} people; logs: ${LOGS.join(', ')}; Redis ${redisService.url}, keys under ${RUN}`,
  );
  try {
    const head = await seedSqlite(sqlitePath);
    if (LOGS.includes('sqlite')) logs.push({ name: 'SQLite', url: `sqlite:${sqlitePath}` });
    if (postgres?.ok) {
      const url = `${postgres.url}?schema=${schema}`;
      await seedPostgres(sqlitePath, url);
      logs.push({ name: 'PostgreSQL', url });
    }
    console.log('');
    console.log(
      `batches of ${BATCH} events; CPU per event of this process and of the Redis server`,
    );
    console.log(
      '| log | projection | rebuild events/s | bare catch-up read events/s | ratio | node CPU µs/event | redis CPU µs/event |',
    );
    console.log('|---|---|---:|---:|---:|---:|---:|');
    for (const { name, url } of logs) {
      const baseline = await catchUpRead(url, head, BATCH);
      baselines.set(name, baseline);
      for (const projection of PROJECTIONS.filter((p) => ONLY.includes(p.name))) {
        const prefix = `${RUN}${name.toLowerCase()}:${projection.name}:`;
        const measured = await rebuild(name, url, redis, prefix, projection, head);
        const { rate, nodeUs, redisUs } = measured;
        commandLines.push(`${name} ${projection.name}: ${measured.commands}`);
        results.set(`${name} ${projection.name}`, rate);
        console.log(
          `| ${name} | ${projection.name} | ${rate} | ${baseline} | ${(rate / baseline).toFixed(2)}x | ${nodeUs.toFixed(1)} | ${redisUs.toFixed(1)} |`,
        );
        await unlinkKeysStartingWith(redis, prefix);
      }
    }
    console.log('');
    console.log("Redis commands by time (a shared server: anyone else's count too):");
    for (const line of commandLines) console.log(`  ${line}`);
  } finally {
    await unlinkKeysStartingWith(redis, RUN);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
    if (postgres?.ok) {
      const client = new Client({ connectionString: postgres.url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
      await postgres.stop();
    }
    await redisService.stop();
  }
  // The summary lines (issue 21): each projection's rate from the first log measured and its
  // ratio to that log's bare catch-up read.
  const [first] = logs;
  if (!first) return;
  const bare = baselines.get(first.name) ?? Number.NaN;
  for (const name of ['timeline', 'closeness'].filter((n) => ONLY.includes(n))) {
    const rate = results.get(`${first.name} ${name}`);
    if (rate !== undefined)
      console.log(
        `rebuild ${name}: ${rate} events/s, ${(rate / bare).toFixed(2)}x of the bare read (${first.name} log, bare ${bare} events/s)`,
      );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
