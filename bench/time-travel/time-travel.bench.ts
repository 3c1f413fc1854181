/**
 * `npm run bench:time-travel`: what `?asOf=` costs on a large log, against the same query
 * without it, in the same run.
 *
 * The log (SQLite, built first, not timed): BENCH_TIME_TRAVEL_EVENTS (1,000,000) events —
 * touchpoints of 5,000 customers (about 180 each) plus two "hot" customers with about 50,000
 * each, merged early, and 9,999 identity decisions on the `identity-graph` stream (5,000
 * first-seen links, 2,500 merges, 2,499 unmerges, spread over the log). Recorded times
 * advance 30 s per touchpoint, so asOf times map to positions all over the log.
 *
 * It is projected into both timeline read models (memory, and Redis under a dedicated
 * prefix, deleted at the end). Then, for BENCH_TIME_TRAVEL_QUERIES (300) random customers at
 * random asOf times (seeded PRNG), each query is timed with asOf and without, interleaved:
 *   - resolve: `TimeTravel.resolve(time)` — binary search time → position, graph as of it;
 *   - page: the first page (50) of the unified timeline;
 *   - profile: counts per channel, first and last contact, merge history;
 *   - search: the customer of an identity.
 * and the same for the two hot customers (their merged timeline of ~100,000 entries).
 * Last, the naive way as a reference: refolding the log up to one asOf position into a
 * fresh memory model. Last line:
 * `time-travel: asOf page p50 <ms> ms (<r>x without), profile p50 <ms> ms (<r>x without) on Redis; resolve p50 <ms> ms; refold <s> s`
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
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
import { type AppendRequest, type EventStore, SqliteEventStore } from '@rapport/event-store';
import {
  type LogAsOf,
  TimeTravel,
  type TimelineReadModel,
  timelineProjection,
} from '@rapport/read-models';
import { MemoryTimelineReadModel, RedisTimelineReadModel } from '@rapport/read-models/internals';
import { obtainService, seededRandom } from '@rapport/testing';
import Redis from 'ioredis';

const EVENTS = Number(process.env.BENCH_TIME_TRAVEL_EVENTS ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_TIME_TRAVEL_QUERIES ?? 300);
const PERSONS = 5_000;
const PAIRS = PERSONS / 2;
const T0 = Date.UTC(2025, 0, 1);
const STEP_MS = 30_000;
const CHANNELS = ['email', 'chat', 'social', 'in_person', 'phone'] as const;
const STAFF = { kind: 'staff', staffId: 'bench' } as const;
const AT = new Date(T0).toISOString();
/** What every staff merge and unmerge of the workload says besides who. */
const BY_STAFF = { by: STAFF, at: AT, reason: 'staff-decision' } as const;

const identityOf = (person: number): ChannelIdentity => ({
  kind: 'email',
  value: `person.${person}@bench.example`,
});
const customerOf = (person: number) => customerIdFor(identityOf(person));

/** The decisions made after touchpoint n (merges and unmerges of pairs, spread over the log). */
function scheduledDecisions(touchpoints: number): Map<number, IdentityGraphEvent[]> {
  const plan = new Map<number, IdentityGraphEvent[]>();
  const add = (n: number, event: IdentityGraphEvent) =>
    plan.set(n, [...(plan.get(n) ?? []), event]);
  const spread = Math.floor((touchpoints * 0.45) / PAIRS);
  for (let i = 0; i < PAIRS; i++) {
    const survivorId = customerOf(2 * i);
    const mergedId = customerOf(2 * i + 1);
    const mergeAt = 2 * PERSONS + i * spread;
    add(mergeAt, customerMerged({ survivorId, mergedId, evidence: [], ...BY_STAFF }));
    // Pair 0 is the hot pair: merged for good.
    if (i > 0)
      add(
        mergeAt + Math.floor(touchpoints * 0.4),
        customerUnmerged({ survivorId, mergedId, ...BY_STAFF }),
      );
  }
  return plan;
}

/** Builds the log; returns how many identity decisions it holds. */
async function buildLog(store: SqliteEventStore, clock: { ms: number }): Promise<number> {
  const decisionsPerTouchpoint = 10_000 / EVENTS; // about 1 %
  const touchpoints = Math.round(EVENTS / (1 + decisionsPerTouchpoint));
  const plan = scheduledDecisions(touchpoints);
  const seen = new Set<number>();
  let decisions = 0;
  let written = 0;
  let batch: AppendRequest[] = [];
  const flush = async () => {
    await store.appendMany(batch);
    written += batch.length;
    batch = [];
    process.stdout.write(`\r  log: ${written.toLocaleString('en')} events`);
  };
  const decide = (event: IdentityGraphEvent) => {
    decisions += 1;
    batch.push({
      streamId: IDENTITY_GRAPH_STREAM,
      expectedRevision: 'any',
      events: [{ id: randomUUID(), type: event.type, data: event.data }],
    });
  };
  for (let n = 0; written + batch.length < EVENTS; n++) {
    // Every 10th touchpoint is one of the hot pair's (persons 0 and 1); the others go
    // round all the persons in turn.
    const person = n % 10 === 0 ? (n / 10) % 2 : (n - Math.ceil(n / 10)) % PERSONS;
    const identity = identityOf(person);
    const occurredAt = new Date(T0 + n * STEP_MS).toISOString();
    batch.push({
      streamId: customerStreamId(customerOf(person)),
      expectedRevision: 'any',
      events: [
        {
          id: randomUUID(),
          type: 'touchpoint.recorded.v1',
          data: {
            channel: CHANNELS[n % CHANNELS.length],
            direction: n % 3 ? 'inbound' : 'outbound',
            identity,
            content: { subject: 'Order question', text: `Touchpoint ${n}: where is my parcel?` },
          },
          metadata: {
            ce: { id: `tt-${n}`, source: 'bench/time-travel', time: occurredAt },
            occurredAt,
            customerId: customerOf(person),
            identityKey: identityKey(identity),
          },
        },
      ],
    });
    if (!seen.has(person)) {
      seen.add(person);
      decide(
        identityLinked({
          identity,
          customerId: customerOf(person),
          by: STAFF,
          at: AT,
          reason: 'first-seen',
        }),
      );
    }
    for (const event of plan.get(n) ?? []) decide(event);
    if (batch.length >= 2000) {
      clock.ms = T0 + n * STEP_MS + 1000; // recorded a second after it happened
      await flush();
    }
  }
  if (batch.length > 0) await flush();
  console.log();
  return decisions;
}

async function project(store: EventStore, model: TimelineReadModel): Promise<number> {
  const target = timelineProjection(model);
  const started = Date.now();
  let after = 0;
  for (;;) {
    const events = await store.readAll({ after, maxCount: 5000 });
    if (events.length === 0) break;
    const upTo = events[events.length - 1].position;
    await target.applyBatch(events, { after, upTo });
    after = upTo;
  }
  return Date.now() - started;
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
async function timed<T>(action: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await action();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}
const f = (ms: number) => ms.toFixed(3);

interface Sample {
  readonly asOf: number[];
  readonly now: number[];
}
const sample = (): Sample => ({ asOf: [], now: [] });

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-time-travel-'));
  const clock = { ms: T0 };
  const store = new SqliteEventStore({
    path: join(dir, 'log.db'),
    clock: () => new Date(clock.ms),
  });
  const service = await obtainService('redis', (line) => console.log(`[services] ${line}`));
  if (!service.ok) throw new Error(`bench:time-travel needs Redis: ${service.reason}`);
  const redis = new Redis(service.url);
  const prefix = `rapport-bench-time-travel:${randomUUID()}:`;
  const models: [string, TimelineReadModel][] = [
    ['memory', new MemoryTimelineReadModel()],
    ['redis', new RedisTimelineReadModel(redis, { prefix })],
  ];
  try {
    const [decisions, buildMs] = await timed(() => buildLog(store, clock));
    const head = await store.headPosition();
    const lastRecorded = clock.ms;
    console.log(
      `log: ${head.toLocaleString('en')} events (${decisions.toLocaleString('en')} identity decisions) in ${(buildMs / 1000).toFixed(1)} s`,
    );
    for (const [name, model] of models) {
      const ms = await project(store, model);
      console.log(`projected into ${name} in ${(ms / 1000).toFixed(1)} s`);
    }

    const travel = new TimeTravel(store, { now: () => lastRecorded + 60_000 });
    const [, firstMs] = await timed(() => travel.resolve(String(head)));
    console.log(
      `first asOf: followed the identity-graph stream (${travel.graphs.decisions.toLocaleString('en')} decisions) in ${f(firstMs)} ms (once per process)`,
    );

    const random = seededRandom(42); // the same queries every run
    const resolveMs: number[] = [];
    const results = new Map<
      string,
      Record<'page' | 'profile' | 'search' | 'hot page' | 'hot profile', Sample>
    >();
    for (const [name] of models)
      results.set(name, {
        page: sample(),
        profile: sample(),
        search: sample(),
        'hot page': sample(),
        'hot profile': sample(),
      });
    for (let q = 0; q < QUERIES; q++) {
      const at = new Date(T0 + random() * (lastRecorded - T0)).toISOString();
      const [resolved, took] = await timed(() => travel.resolve(at));
      resolveMs.push(took);
      if (!resolved.ok) throw new Error(JSON.stringify(resolved.errors));
      const asOf: LogAsOf = resolved.value;
      const person = 2 + Math.floor(random() * (PERSONS - 2));
      const customer = customerOf(person);
      const key = identityKey(identityOf(person));
      const hot = customerOf(1);
      for (const [name, model] of models) {
        const r = results.get(name) as NonNullable<ReturnType<typeof results.get>>;
        const both = async (s: Sample, query: (asOf?: LogAsOf) => Promise<unknown>) => {
          s.asOf.push((await timed(() => query(asOf)))[1]);
          s.now.push((await timed(() => query()))[1]);
        };
        await both(r.page, (a) => model.page(customer, { limit: 50 }, a));
        await both(r.profile, (a) => model.profile(customer, a));
        await both(r.search, (a) => model.customerByIdentity(key, a));
        if (q % 10 === 0) {
          await both(r['hot page'], (a) => model.page(hot, { limit: 50 }, a));
          await both(r['hot profile'], (a) => model.profile(hot, a));
        }
      }
    }

    // The naive way, for reference: refold the log up to one asOf position.
    const refoldTo = Math.floor(head / 2);
    const refolded = new MemoryTimelineReadModel();
    const target = timelineProjection(refolded);
    const [, refoldMs] = await timed(async () => {
      let after = 0;
      while (after < refoldTo) {
        const events = (await store.readAll({ after, maxCount: 5000 })).filter(
          (e) => e.position <= refoldTo,
        );
        const upTo = events[events.length - 1].position;
        await target.applyBatch(events, { after, upTo });
        after = upTo;
      }
    });

    console.log(
      `\n${QUERIES} random customers at random asOf times (hot: every 10th); ms, asOf vs the same query without, interleaved:`,
    );
    console.log('| model | query | asOf p50 | asOf p99 | without p50 | without p99 | p50 ratio |');
    console.log('|---|---|---|---|---|---|---|');
    console.log(
      `| — | resolve asOf time → position + graph | ${f(pct(resolveMs, 50))} | ${f(pct(resolveMs, 99))} | — | — | — |`,
    );
    for (const [name, byQuery] of results) {
      for (const [query, s] of Object.entries(byQuery)) {
        const ratio = pct(s.asOf, 50) / pct(s.now, 50);
        console.log(
          `| ${name} | ${query} | ${f(pct(s.asOf, 50))} | ${f(pct(s.asOf, 99))} | ${f(pct(s.now, 50))} | ${f(pct(s.now, 99))} | ${ratio.toFixed(2)}x |`,
        );
      }
    }
    console.log(
      `| — | reference: refold the log up to position ${refoldTo.toLocaleString('en')} into a fresh memory model | ${f(refoldMs)} | | | | |`,
    );
    const redisResults = results.get('redis') as NonNullable<ReturnType<typeof results.get>>;
    const ratio = (s: Sample) => (pct(s.asOf, 50) / pct(s.now, 50)).toFixed(2);
    console.log(
      `time-travel: asOf page p50 ${f(pct(redisResults.page.asOf, 50))} ms (${ratio(redisResults.page)}x without), profile p50 ${f(pct(redisResults.profile.asOf, 50))} ms (${ratio(redisResults.profile)}x without) on Redis; resolve p50 ${f(pct(resolveMs, 50))} ms; refold ${(refoldMs / 1000).toFixed(1)} s`,
    );
  } finally {
    for (const [, model] of models) await model.clear();
    await redis.quit();
    await store.close();
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
