/**
 * `npm run bench:memory`: what the query API keeps in memory for time travel as the log
 * grows. For each of two log sizes (BENCH_MEMORY_DECISIONS, default `20000,200000` identity
 * decisions), a SQLite log is written through the log's append API (one touchpoint and a
 * first-seen link per person, every 10th person merged into the one before, every 40th
 * unmerged again later) and projected into the Redis timeline read model in this process
 * (under a prefix of its own, deleted at the end; the projector process, with its other
 * projections, took minutes per 10,000 events on the shared machine), and the query API
 * starts alone as its own process. The same requests then go to it at both sizes: the timeline's first page and the
 * profile of the same 300 customers, each as of four positions (a quarter, half and three
 * quarters of the log, and its head), 8 at a time.
 *
 * The query API is started with `--expose-gc` and `report-memory-on-signal.cjs`, so its
 * resident memory and heap used are read after a full garbage collection, once idle after
 * start and once after the requests; CPU-seconds from /proc. Last line:
 * `memory: query-api RSS <a> MB at <n1>, <b> MB at <n2> (<r>x)`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ChannelIdentity,
  customerIdFor,
  customerMerged,
  customerStreamId,
  customerUnmerged,
  IDENTITY_GRAPH_STREAM,
  type IdentityGraphEvent,
  identityKey,
  identityLinked,
} from '@rapport/domain';
import { type AppendRequest, SqliteEventStore } from '@rapport/event-store';
import { timelineProjection } from '@rapport/read-models';
import { RedisTimelineReadModel } from '@rapport/read-models/internals';
import {
  eventually,
  obtainService,
  REPO_ROOT,
  type RunningProcess,
  startService,
  TestIssuer,
} from '@rapport/testing';
import Redis from 'ioredis';

const SIZES = (process.env.BENCH_MEMORY_DECISIONS ?? '20000,200000').split(',').map(Number);
const ASKED = 300;
const CONCURRENCY = 8;
const STAFF = { kind: 'staff', staffId: 'bench' } as const;
const T0 = Date.UTC(2025, 0, 1);
const AT = new Date(T0).toISOString();
const BY_STAFF = { by: STAFF, at: AT, reason: 'staff-decision' } as const;

const identityOf = (person: number): ChannelIdentity => ({
  kind: 'email',
  value: `person.${person}@bench.example`,
});
const customerOf = (person: number) => customerIdFor(identityOf(person));

/** Writes a log of about `decisions` identity decisions; returns its head. */
async function writeLog(store: SqliteEventStore, decisions: number): Promise<number> {
  const persons = Math.round(decisions / 1.125);
  const unmergeLater = new Map<number, IdentityGraphEvent[]>();
  let batch: AppendRequest[] = [];
  const decide = (event: IdentityGraphEvent) =>
    batch.push({
      streamId: IDENTITY_GRAPH_STREAM,
      expectedRevision: 'any',
      events: [{ id: randomUUID(), type: event.type, data: event.data }],
    });
  for (let person = 0; person < persons; person++) {
    const identity = identityOf(person);
    const occurredAt = new Date(T0 + person * 1000).toISOString();
    batch.push({
      streamId: customerStreamId(customerOf(person)),
      expectedRevision: 'any',
      events: [
        {
          id: randomUUID(),
          type: 'touchpoint.recorded.v1',
          data: {
            channel: 'email',
            direction: 'inbound',
            identity,
            content: { subject: 'Order question', text: `Touchpoint ${person}` },
          },
          metadata: {
            ce: { id: `mem-${person}`, source: 'bench/memory', time: occurredAt },
            occurredAt,
            customerId: customerOf(person),
            identityKey: identityKey(identity),
          },
        },
      ],
    });
    decide(
      identityLinked({
        identity,
        customerId: customerOf(person),
        by: STAFF,
        at: AT,
        reason: 'first-seen',
      }),
    );
    if (person % 10 === 9) {
      const pair = { survivorId: customerOf(person - 1), mergedId: customerOf(person) };
      decide(customerMerged({ ...pair, evidence: [], ...BY_STAFF }));
      if (person % 40 === 39)
        unmergeLater.set(person + 1000, [customerUnmerged({ ...pair, ...BY_STAFF })]);
    }
    for (const event of unmergeLater.get(person) ?? []) decide(event);
    unmergeLater.delete(person);
    if (batch.length >= 2000) {
      await store.appendMany(batch);
      batch = [];
    }
  }
  for (const events of unmergeLater.values()) events.forEach(decide);
  if (batch.length > 0) await store.appendMany(batch);
  return store.headPosition();
}

/** The log into the timeline read model the query API reads (version 0, under `prefix`). */
async function project(store: SqliteEventStore, redis: Redis, prefix: string): Promise<void> {
  const target = timelineProjection(new RedisTimelineReadModel(redis, { prefix }));
  for (let after = 0; ;) {
    const events = await store.readAll({ after, maxCount: 5000 });
    if (events.length === 0) break;
    const upTo = events[events.length - 1].position;
    await target.applyBatch(events, { after, upTo });
    after = upTo;
  }
  await store.close();
}

const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
};

/** RSS and heap used of a service started with the preload, after a full GC. */
async function memoryOf(service: RunningProcess): Promise<{ rss: number; heapUsed: number }> {
  const before = service.output.length;
  service.child.kill('SIGWINCH');
  const line = await eventually(
    async () => service.output.slice(before).find((l) => l.startsWith('bench-memory ')),
    (found) => found !== undefined,
    30_000,
    50,
  );
  if (!line) throw new Error('the query API did not report its memory');
  return JSON.parse(line.slice('bench-memory '.length)) as { rss: number; heapUsed: number };
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

async function measure(size: number, redisUrl: string, issuer: TestIssuer) {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-memory-'));
  const store = new SqliteEventStore({ path: join(dir, 'log.db') });
  const prefix = `rapport:bench-memory:${randomUUID().slice(0, 8)}:`;
  const env = {
    ...issuer.env(),
    RAPPORT_EVENT_STORE: `sqlite:${join(dir, 'log.db')}`,
    RAPPORT_READ_MODELS: `${redisUrl}/0?prefix=${prefix}`,
    RAPPORT_PRIVACY: 'off',
    RAPPORT_RATE_LIMIT: '1000000',
    RAPPORT_LOG_FORMAT: 'json',
  };
  const redis = new Redis(redisUrl);
  let api: RunningProcess | undefined;
  try {
    let started = Date.now();
    const head = await writeLog(store, size);
    const decisions = (await store.readStream(IDENTITY_GRAPH_STREAM)).length;
    await store.close();
    console.log(
      `  ${size}: log of ${head} events, ${decisions} identity decisions, written in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    started = Date.now();
    await project(new SqliteEventStore({ path: join(dir, 'log.db') }), redis, prefix);
    console.log(`  ${size}: projected in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    api = await startService(
      'query-api',
      {
        ...env,
        NODE_OPTIONS: `--expose-gc --require ${join(REPO_ROOT, 'bench/memory/report-memory-on-signal.cjs')}`,
      },
      process.env.BENCH_MEMORY_ECHO ? '[query-api]' : undefined,
    );
    const idle = await memoryOf(api);
    const cpuBefore = cpuSeconds(api.pid);
    const headers = {
      // An hour: the requests at the larger size outlast the default five minutes on a loaded machine.
      authorization: `Bearer ${await issuer.token({ subject: 'bench-staff', roles: ['agent'], expiresIn: 3600 })}`,
    };
    const paths: string[] = [];
    for (const fraction of [0.25, 0.5, 0.75, 1]) {
      const asOf = Math.floor(head * fraction);
      for (let person = 0; person < ASKED; person++) {
        const id = customerOf(person);
        paths.push(`/v1/customers/${id}/timeline?asOf=${asOf}`, `/v1/customers/${id}?asOf=${asOf}`);
      }
    }
    started = Date.now();
    const failed = new Map<number, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < paths.length) {
          const response = await fetch(`${api!.url}${paths[next++]}`, { headers }).catch(
            (e: Error) => {
              throw new Error(`${e.message}: ${String(e.cause)}`);
            },
          );
          if (!response.ok && response.status !== 404)
            failed.set(response.status, (failed.get(response.status) ?? 0) + 1);
          await response.arrayBuffer();
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const cpu = cpuSeconds(api.pid) - cpuBefore;
    if (failed.size > 0)
      throw new Error(
        `requests failed (status: count) ${JSON.stringify(Object.fromEntries(failed))} of ${paths.length}`,
      );
    const served = await memoryOf(api);
    console.log(
      `  ${size}: query-api idle RSS ${mb(idle.rss)} MB heap ${mb(idle.heapUsed)} MB; after ${paths.length} asOf requests in ${seconds.toFixed(1)} s (${cpu.toFixed(1)} CPU-s) RSS ${mb(served.rss)} MB heap ${mb(served.heapUsed)} MB`,
    );
    return { size, decisions, served };
  } catch (error) {
    if (api) console.error(`  the query API's last lines:\n${api.output.slice(-20).join('\n')}`);
    throw error;
  } finally {
    await api?.stop();
    const keys = await redis.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.unlink(...keys.slice(i, i + 1000));
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const redis = await obtainService('redis', (line) => console.log(`  ${line}`));
  if (!redis.ok) throw new Error(`bench:memory needs Redis: ${redis.reason}`);
  const issuer = await TestIssuer.start();
  console.log(
    `bench:memory — the query API serving asOf timelines and profiles at ${SIZES.join(' and ')} identity decisions (load ${readFileSync('/proc/loadavg', 'utf8').trim()})`,
  );
  try {
    const results = [];
    for (const size of SIZES) results.push(await measure(size, redis.url, issuer));
    const [a, b] = [results[0], results[results.length - 1]];
    console.log(
      `memory: query-api RSS ${mb(a.served.rss)} MB at ${a.decisions}, ${mb(b.served.rss)} MB at ${b.decisions} (${(b.served.rss / a.served.rss).toFixed(2)}x); heap ${mb(a.served.heapUsed)} MB, ${mb(b.served.heapUsed)} MB (${(b.served.heapUsed / a.served.heapUsed).toFixed(2)}x)`,
    );
  } finally {
    await issuer.close();
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
