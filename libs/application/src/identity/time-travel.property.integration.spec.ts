import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import {
  type ChannelIdentity,
  customerIdFor,
  identityKey,
  resolveCustomer,
  survivingCustomers,
} from '@rapport/domain';
import { type EventStore, SqliteEventStore } from '@rapport/event-store';
import { TouchpointIngestion } from '../ingestion';
import { describeWithServices, testRedis } from '@rapport/testing';
import {
  RedisGraphHistory,
  type TimelineAsOf,
  type TimelineReadModel,
  TimeTravel,
  timelineProjection,
} from '@rapport/read-models';
import {
  MemoryTimelineReadModel,
  RedisTimelineReadModel,
  allPages,
  unlinkKeysStartingWith,
} from '@rapport/read-models/internals';
import { IdentityCommands } from './identity-commands';
import { IdentityGraphLog } from './identity-graph-log';
import { IdentityResolution } from './identity-resolution';

/**
 * Time travel against the obvious meaning of "as of position P": random histories
 * (touchpoints with one or two identities, some verified, resolved in log order; staff
 * merges, unmerges, links and unlinks) go through the real path into a SQLite log and are
 * projected to the head; then for every position P of the log, every answer of the model
 * with `asOf` (from `TimeTravel`) must equal the answer of a fresh model that was given
 * the log up to P only — every customer's paged timeline, profile and redirect, and every
 * identity's customer.
 */

const POOL: readonly ChannelIdentity[] = [
  { kind: 'email', value: 'ann@example.com' },
  { kind: 'email', value: 'bob@example.com' },
  { kind: 'phone', value: '+4930111111' },
  { kind: 'phone', value: '+4930222222' },
  { kind: 'chat', value: 'v-1' },
];
const STAFF = { kind: 'staff', staffId: 'agent-7' } as const;
const AT = '2026-04-01T00:00:00.000Z';

type Step =
  | { kind: 'touch'; ids: number[]; verified: boolean; day: number }
  | { kind: 'merge' | 'unmerge' | 'link' | 'unlink'; a: number; b: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('touch' as const),
      ids: fc.uniqueArray(fc.nat(POOL.length - 1), { minLength: 1, maxLength: 2 }),
      verified: fc.boolean(),
      day: fc.nat(5),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'merge' as const,
        'unmerge' as const,
        'link' as const,
        'unlink' as const,
      ),
      a: fc.nat(),
      b: fc.nat(),
    }),
  },
);

/** What the runs exercised, so a generator that never reaches a case does not pass silently. */
const exercised = { merged: 0, unmergedLater: 0, mergedLater: 0 };

async function writeHistory(store: EventStore, steps: readonly Step[]): Promise<void> {
  const ingestion = new TouchpointIngestion(store, { now: () => new Date('2026-05-01T00:00:00Z') });
  const resolution = new IdentityResolution(new IdentityGraphLog(store));
  const graphLog = new IdentityGraphLog(store);
  const commands = new IdentityCommands(graphLog);
  let resolved = 0;
  let touchpoints = 0;
  for (const step of steps) {
    if (step.kind === 'touch') {
      const [identity, ...further] = step.ids.map((i) => ({ ...POOL[i], verified: step.verified }));
      const [result] = await ingestion.ingest(
        [
          {
            specversion: '1.0',
            id: `tp-${++touchpoints}`,
            source: 'adapters/test',
            type: 'touchpoint.recorded.v1',
            time: `2026-03-0${1 + step.day}T10:00:00Z`,
            data: {
              channel:
                identity.kind === 'phone' ? 'phone' : identity.kind === 'chat' ? 'chat' : 'email',
              direction: 'inbound',
              identity,
              ...(further.length ? { identities: further } : {}),
            },
          },
        ],
        UNRESTRICTED_SCOPE,
      );
      if (result.status !== 'accepted') throw new Error(JSON.stringify(result));
      // The resolver decides in log order, right after the touchpoint.
      const events = await store.readAll({ after: resolved });
      const upTo = events[events.length - 1].position;
      await resolution.applyBatch(events, { after: resolved, upTo });
      resolved = upTo;
      continue;
    }
    const graph = await graphLog.refresh();
    const customers = survivingCustomers(graph);
    if (customers.length === 0) continue;
    const pick = (n: number) => customers[n % customers.length];
    switch (step.kind) {
      case 'merge':
        if ((await commands.merge(pick(step.a), pick(step.b), STAFF, AT)).ok) exercised.merged++;
        break;
      case 'unmerge': {
        const merged = [...graph.customers.values()].filter((c) => c.mergedInto !== undefined);
        const target = merged[step.a % Math.max(merged.length, 1)];
        if (target)
          await commands.unmerge(resolveCustomer(graph, target.id) as string, target.id, STAFF, AT);
        break;
      }
      case 'link':
        await commands.link(pick(step.a), POOL[step.b % POOL.length], STAFF, AT);
        break;
      case 'unlink': {
        const identity = POOL[step.b % POOL.length];
        const home = graph.identities.get(identityKey(identity))?.homeCustomerId;
        if (home)
          await commands.unlink(resolveCustomer(graph, home) as string, identity, STAFF, AT);
        break;
      }
    }
  }
  // Decisions of staff commands come after the touchpoints the resolver has seen: resolve the rest.
  const rest = await store.readAll({ after: resolved });
  if (rest.length)
    await resolution.applyBatch(rest, { after: resolved, upTo: rest[rest.length - 1].position });
}

async function project(store: EventStore, model: TimelineReadModel, upTo: number, batch: number) {
  const target = timelineProjection(model);
  let after = await model.checkpoint();
  while (after < upTo) {
    const events = (await store.readAll({ after, maxCount: batch })).filter(
      (e) => e.position <= upTo,
    );
    const last = events[events.length - 1].position;
    await target.applyBatch(events, { after, upTo: last });
    after = last;
  }
}

/** A customer's whole timeline (by pages of `limit`), as log positions. */
async function positionsOf(
  model: TimelineReadModel,
  customerId: string,
  limit: number,
  asOf?: TimelineAsOf,
) {
  return (await allPages(model, customerId, { limit }, asOf)).map((e) => e.position);
}

/** Every customer id the log names: touchpoints' customers and those of identity decisions. */
async function customersNamed(store: EventStore): Promise<string[]> {
  const ids = new Set(POOL.map(customerIdFor));
  for (const event of await store.readAll()) {
    const data = event.data as Record<string, unknown>;
    for (const field of ['customerId', 'toCustomerId', 'fromCustomerId', 'survivorId', 'mergedId'])
      if (typeof data[field] === 'string') ids.add(data[field] as string);
  }
  return [...ids].sort();
}

function timeTravelProperty(
  open: () => Promise<{
    model: TimelineReadModel;
    close: () => Promise<void>;
    /** The graph's history in Redis, when the model is there (otherwise folded in process). */
    history?: (store: EventStore) => RedisGraphHistory;
  }>,
) {
  return fc.asyncProperty(
    fc.array(stepArb, { minLength: 1, maxLength: 25 }),
    fc.integer({ min: 1, max: 6 }),
    fc.integer({ min: 1, max: 4 }),
    async (steps, batch, limit) => {
      const store = new SqliteEventStore({ path: ':memory:' });
      const { model, close, history } = await open();
      try {
        await writeHistory(store, steps);
        const head = await store.headPosition();
        await project(store, model, head, batch);
        // A tiny cache: most graphs asked for are folded again from the log (ADR 0035).
        const travel = new TimeTravel(store, {
          snapshotEvery: 2,
          snapshots: 2,
          cached: 1,
          history: history?.(store),
        });
        const customers = await customersNamed(store);
        const reference = new MemoryTimelineReadModel();
        for (let position = 0; position <= head; position++) {
          await project(store, reference, position, batch);
          const resolved = await travel.resolve(String(position));
          if (!resolved.ok) throw new Error(JSON.stringify(resolved.errors));
          const asOf = resolved.value;
          for (const id of customers) {
            expect([position, id, await positionsOf(model, id, limit, asOf)]).toEqual([
              position,
              id,
              await positionsOf(reference, id, limit),
            ]);
            expect(await model.profile(id, asOf)).toEqual(await reference.profile(id));
            const then = await model.resolveCustomer(id, asOf);
            expect(then).toBe(await reference.resolveCustomer(id));
            const now = await model.resolveCustomer(id);
            if (then !== null && now !== then)
              exercised[then === id ? 'mergedLater' : 'unmergedLater']++;
          }
          for (const identity of POOL)
            expect(await model.customerByIdentity(identityKey(identity), asOf)).toBe(
              await reference.customerByIdentity(identityKey(identity)),
            );
        }
      } finally {
        await close();
        await store.close();
      }
    },
  );
}

afterAll(() => {
  for (const [what, count] of Object.entries(exercised))
    if (count === 0) throw new Error(`no run exercised ${what}: ${JSON.stringify(exercised)}`);
});

describe('time travel against a model given the log up to each position: memory', () => {
  it('every timeline, profile, redirect and identity lookup as of every position', async () => {
    await fc.assert(
      timeTravelProperty(async () => ({
        model: new MemoryTimelineReadModel(),
        close: async () => undefined,
      })),
      { numRuns: 60 },
    );
  }, 120_000);
});

describeWithServices(
  ['redis'],
  'time travel against a model given the log up to each position: redis',
  (urls) => {
    it('every timeline, profile, redirect and identity lookup as of every position', async () => {
      const redis = testRedis(urls.redis);
      try {
        await fc.assert(
          timeTravelProperty(async () => {
            const prefix = `rapport-test:${randomUUID()}:`;
            const model = new RedisTimelineReadModel(redis, { prefix });
            return {
              model,
              // A tiny LRU: most records are read from Redis again.
              history: (store) => new RedisGraphHistory(redis, store, { prefix, cachedRecords: 3 }),
              close: async () => {
                await model.clear();
                await unlinkKeysStartingWith(redis, prefix);
              },
            };
          }),
          { numRuns: 15 },
        );
      } finally {
        await redis.quit();
      }
    }, 400_000);
  },
);
