import { randomUUID } from 'node:crypto';
import { ideaStatusChanged, ideaStreamId, ideaSubmitted, ideaVoted } from '@rapport/domain';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { describeWithServices, eventually, testRedis } from '@rapport/testing';
import { openReadModels } from '../../../open-read-models';
import { ProjectionRunner } from '../../../projection/projection-runner';
import { dumpRedisKeys } from '../dump-redis-keys';
import { cleanRebuildDump, liveModelsAt, readModelDump } from '../rebuild-comparison';
import { type TimelineReadModel } from '../../../timeline/timeline-read-model';
import { redisProjectionCatalog } from './redis-projection-catalog';
import { unlinkKeysStartingWith } from '../unlink-keys';

const CUSTOMERS = 30;

/** A touchpoint of customer `c` (e-mail `c<c>@bg.example`), its text saying which log it is in. */
function touchpoint(c: number, n: number, text: string) {
  return {
    id: randomUUID(),
    type: 'touchpoint.recorded.v1',
    data: {
      channel: n % 3 === 0 ? 'chat' : 'email',
      direction: 'inbound',
      identity: { kind: 'email', value: `c${c}@bg.example` },
      content: { text: `${text} ${n}` },
    },
    metadata: {
      ce: { id: `${text}-${c}-${n}`, source: 'tests/blue-green' },
      customerId: customerId(c),
      occurredAt: new Date(Date.UTC(2026, 0, 1) + n * 60_000 + c).toISOString(),
    },
  };
}
const customerId = (c: number) => `00000000-0000-4000-8000-${String(c).padStart(12, '0')}`;

/** A log of `perCustomer` touchpoints for each customer, written round-robin in batches. */
async function logOf(perCustomer: number, text: string): Promise<EventStore> {
  const store = await openEventStore('sqlite::memory:');
  for (let n = 0; n < perCustomer; n++)
    for (let c = 0; c < CUSTOMERS; c++)
      await store.append(`customer-${customerId(c)}`, [touchpoint(c, n, text)]);
  return store;
}

type Query = 'page' | 'profile';

/** One query a reader makes of one customer: the whole timeline, or the profile. */
async function answerOf(model: TimelineReadModel, c: number, query: Query): Promise<string> {
  return JSON.stringify(
    query === 'page'
      ? await model.page(customerId(c), { limit: 500 })
      : await model.profile(customerId(c)),
  );
}

/** How many touchpoints an answer shows: the page's entries, or the profile's count. */
function touchpointsIn(answer: string, query: Query): number {
  const parsed = JSON.parse(answer) as { items?: unknown[]; touchpoints?: number };
  return query === 'page' ? (parsed.items?.length ?? 0) : (parsed.touchpoints ?? 0);
}

describeWithServices(['redis'], 'blue/green rebuilds in Redis', (urls) => {
  jest.setTimeout(180_000);
  const redis = testRedis(urls.redis);
  const prefixes: string[] = [];
  const newPrefix = () => {
    const prefix = `rapport-test:bg-${randomUUID().slice(0, 8)}:`;
    prefixes.push(prefix);
    return prefix;
  };

  afterAll(async () => {
    for (const prefix of prefixes) {
      await unlinkKeysStartingWith(redis, prefix);
    }
    await redis.quit();
  });

  /** The live version 0 of the timeline under `prefix`, built from `store` the ordinary way. */
  async function liveTimelineFrom(store: EventStore, prefix: string): Promise<void> {
    const runner = new ProjectionRunner(
      store,
      redisProjectionCatalog(redis, prefix).timeline.liveTarget(),
    );
    await runner.start();
    await runner.stop();
  }

  it('under concurrent queries: every query answered by a whole model, old or new, never a half-built or half-dropped one', async () => {
    const prefix = newPrefix();
    // The live version holds 20 touchpoints per customer ("old"), the log the rebuild reads
    // 300 ("new"): a half-built model would answer with fewer, a half-dropped one with less.
    const oldLog = await logOf(20, 'old');
    const newLog = await logOf(300, 'new');
    try {
      await liveTimelineFrom(oldLog, prefix);
      const readers = testRedis(urls.redis, { enableAutoPipelining: true });
      const catalog = redisProjectionCatalog(readers, prefix);
      const timeline = catalog.timeline.reader<TimelineReadModel>();
      const queries: Query[] = ['page', 'profile'];
      const key = (c: number, query: Query) => `${query} ${c}`;
      const oldAnswers = new Map<string, string>();
      for (let c = 0; c < CUSTOMERS; c++)
        for (const query of queries)
          oldAnswers.set(key(c, query), await answerOf(timeline, c, query));

      let rebuilding = true;
      const seen = { old: 0, new: 0 };
      const wrong: string[] = [];
      const newAnswers = new Map<string, string>();
      const load = async (worker: number) => {
        for (let i = worker; rebuilding || i < worker + 40; i += 7) {
          const c = i % CUSTOMERS;
          const query = queries[i % 2];
          const answer = await answerOf(timeline, c, query);
          if (answer === oldAnswers.get(key(c, query))) {
            seen.old += 1;
            continue;
          }
          // Not the old answer: then the whole new one — all 300 "new" touchpoints, nothing
          // old — and the same each time.
          if (!newAnswers.has(key(c, query))) newAnswers.set(key(c, query), answer);
          const touchpoints = touchpointsIn(answer, query);
          if (
            answer === newAnswers.get(key(c, query)) &&
            touchpoints === 300 &&
            !answer.includes('old')
          )
            seen.new += 1;
          else wrong.push(`${key(c, query)}: ${touchpoints} touchpoints: ${answer.slice(0, 300)}`);
        }
      };
      const workers = [0, 1, 2, 3, 4, 5, 6, 7].map((w) => load(w));
      const rebuilder = redisProjectionCatalog(redis, prefix).timeline;
      const run = await rebuilder.rebuild(newLog, { batchSize: 200 });
      const outcome = await run.done;
      rebuilding = false;
      await Promise.all(workers);
      await readers.quit();

      expect(outcome).toMatchObject({ status: 'switched', version: 1, previousVersion: 0 });
      expect(outcome.position).toBe(await newLog.headPosition());
      expect(wrong).toEqual([]);
      // Queries ran on both sides of the switch, and every customer has its new answer.
      expect(seen.old).toBeGreaterThan(0);
      expect(seen.new).toBeGreaterThan(0);
      const final = redisProjectionCatalog(redis, prefix).timeline.reader<TimelineReadModel>();
      for (let c = 0; c < CUSTOMERS; c++) {
        const page = await final.page(customerId(c), { limit: 500 });
        expect(page.items).toHaveLength(300);
      }
      // The old version is gone: every model key is version 1's.
      const keys = Object.keys(await dumpRedisKeys(redis, prefix));
      expect(
        keys.filter((k) => !/^(v1:|projections:|\{timeline\}:(projections|lease):)/.test(k)),
      ).toEqual([]);
      expect(keys.some((k) => k.startsWith('v1:{timeline}:timeline:'))).toBe(true);
      console.log(
        `blue/green timeline rebuild under query load: ${outcome.position} events in ${outcome.ms} ms (${Math.round(outcome.position / (outcome.ms / 1000))} events/s), ${seen.old + seen.new} queries answered (${seen.old} old, ${seen.new} new)`,
      );
    } finally {
      await oldLog.close();
      await newLog.close();
    }
  });

  it('stopped halfway (Ctrl-C): the live version keeps serving, and a rerun resumes the half-built version and switches', async () => {
    const prefix = newPrefix();
    const oldLog = await logOf(10, 'old');
    const newLog = await logOf(400, 'new');
    try {
      await liveTimelineFrom(oldLog, prefix);
      const { timeline } = redisProjectionCatalog(redis, prefix);
      const reader = timeline.reader<TimelineReadModel>();
      const before = await answerOf(reader, 3, 'page');

      const stop = new AbortController();
      const run = await timeline.rebuild(newLog, { batchSize: 50, signal: stop.signal });
      // Ctrl-C once the new version holds part of the log.
      await eventually(
        async () => (await timeline.state()).rebuild?.position ?? 0,
        (position) => position > 0,
        10_000,
        2,
      );
      stop.abort();
      const stopped = await run.done;
      expect(stopped.status).toBe('stopped');
      expect(stopped.position).toBeGreaterThan(0);
      expect(stopped.position).toBeLessThan(await newLog.headPosition());
      expect(await answerOf(reader, 3, 'page')).toBe(before);
      const state = await timeline.state();
      expect(state).toMatchObject({ version: 0, checkpoint: 300 });
      expect(state.rebuild).toMatchObject({ version: stopped.version, running: false });
      expect(state.rebuild?.position).toBeGreaterThanOrEqual(stopped.position);

      const rerun = await timeline.rebuild(newLog, { batchSize: 100 });
      expect(rerun.version).toBe(stopped.version);
      const outcome = await rerun.done;
      expect(outcome).toMatchObject({ status: 'switched', version: stopped.version });
      expect(outcome.resumedFrom).toBeGreaterThanOrEqual(stopped.position);
      expect((await reader.page(customerId(3), { limit: 500 })).items).toHaveLength(400);
      expect((await timeline.state()).rebuild).toBeNull();
    } finally {
      await oldLog.close();
      await newLog.close();
    }
  });

  it('one rebuild per projection at a time; a second is refused while the first runs', async () => {
    const prefix = newPrefix();
    const log = await logOf(60, 'new');
    try {
      const { timeline } = redisProjectionCatalog(redis, prefix);
      const first = await timeline.rebuild(log, { batchSize: 50 });
      await expect(timeline.rebuild(log)).rejects.toThrow(/already running/);
      await expect(first.done).resolves.toMatchObject({ status: 'switched' });
      // Once it ended, the next one runs (and drops the version the first one made live).
      const second = await timeline.rebuild(log);
      await expect(second.done).resolves.toMatchObject({
        status: 'switched',
        previousVersion: first.version,
      });
    } finally {
      await log.close();
    }
  });

  it('with the projector running and the log growing: every projection rebuilt and switched, the projector carries on writing the new versions, and they equal a clean rebuild', async () => {
    const prefix = newPrefix();
    const url = `${urls.redis}/0?prefix=${prefix}`;
    const store = await logOf(20, 'live');
    const origin = { kind: 'staff' as const, staffId: 's' };
    const at = '2026-03-01T00:00:00.000Z';
    for (const id of ['i1', 'i2'])
      await store.append(ideaStreamId(id), [
        {
          id: randomUUID(),
          ...ideaSubmitted({ ideaId: id, title: id, customerId: customerId(1), origin, at }),
        },
        { id: randomUUID(), ...ideaVoted({ ideaId: id, customerId: customerId(2), origin, at }) },
      ]);
    const readModels = openReadModels(url);
    const backlog = readModels.ideas;
    const log = () => undefined;
    let n = 1000;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await store.append(`customer-${customerId(n % CUSTOMERS)}`, [
          touchpoint(n % CUSTOMERS, n, 'more'),
        ]);
        n += 1;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      await readModels.startTimelineProjection(store, log);
      await readModels.startClosenessProjection(store, log);
      await backlog.startProjection(store, log);
      const catalog = redisProjectionCatalog(redis, prefix);
      for (const projection of catalog.all) {
        const outcome = await (await projection.rebuild(store, { batchSize: 100 })).done;
        expect(outcome).toMatchObject({
          name: projection.name,
          status: 'switched',
          version: expect.any(Number),
        });
        expect((await projection.state()).version).toBe(outcome.version);
      }
      // After the switch the projector goes on writing the live (new) versions.
      await store.append(ideaStreamId('i1'), [
        {
          id: randomUUID(),
          ...ideaStatusChanged({ ideaId: 'i1', from: 'new', to: 'planned', staffId: 's', at }),
        },
      ]);
      writing = false;
      await writer;
      const head = await store.headPosition();
      await liveModelsAt(redis, prefix, head);
      const ideas = await eventually(
        () => backlog.model.getMany(['i1']),
        (found) => found.get('i1')?.status === 'planned',
      );
      expect(ideas.get('i1')?.status).toBe('planned');
      const page = await readModels.timeline.page(customerId((n - 1) % CUSTOMERS), { limit: 1 });
      expect(page.items[0]?.excerpt).toBe(`more ${n - 1}`);

      const live = await readModelDump(redis, prefix);
      const clean = await cleanRebuildDump(store, redis, prefix);
      expect(Object.keys(live).length).toBeGreaterThan(CUSTOMERS);
      expect(live).toEqual(clean);
      // Nothing is left of the versions switched out, and no model key is outside a live version.
      const versions = await Promise.all(catalog.all.map(async (p) => (await p.state()).version));
      const keys = Object.keys(await dumpRedisKeys(redis, prefix));
      const stray = keys.filter(
        (k) =>
          !/^(projections:|rebuild:|\{\w+\}:(projections|lease):)/.test(k) &&
          !versions.some((v) => k.startsWith(`v${v}:`)),
      );
      expect(stray).toEqual([]);
    } finally {
      writing = false;
      await writer;
      await readModels.close();
      await store.close();
    }
  });
});
