import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import {
  customerMerged,
  customerMergeSuggested,
  customerMergeSuggestionDismissed,
  customerOfIdentity,
  customerProfileOf,
  customerUnmerged,
  EMPTY_IDENTITY_GRAPH,
  evolve,
  IDENTITY_GRAPH_STREAM,
  type IdentityGraph,
  type IdentityGraphEvent,
  identityKey,
  identityLinked,
  identityUnlinked,
  mergeGroupOf,
  resolveCustomer,
} from '@rapport/domain';
import { SqliteEventStore } from '@rapport/event-store';
import { describeWithServices, testRedis } from '@rapport/testing';
import { unlinkKeysStartingWith } from '../backends/redis/unlink-keys';
import { RedisGraphHistory } from './redis-graph-history';
import { TimeTravel } from './time-travel';

const AT = '2026-01-01T00:00:00.000Z';
const STAFF = { kind: 'staff', staffId: 'agent-7' } as const;
const CUSTOMERS = ['c-0', 'c-1', 'c-2', 'c-3', 'c-4', 'c-5'];
const identityOf = (n: number) => ({ kind: 'email', value: `p${n}@example.com` }) as const;
const KEYS = [0, 1, 2, 3, 4, 5, 6].map((n) => identityKey(identityOf(n)));

/** One step of a history: what it asks for, made valid against the graph of then (as deciders do). */
const stepArb = fc.record({
  kind: fc.constantFrom('link', 'unlink', 'merge', 'unmerge', 'suggest', 'dismiss'),
  a: fc.integer({ min: 0, max: CUSTOMERS.length - 1 }),
  b: fc.integer({ min: 0, max: CUSTOMERS.length - 1 }),
  identity: fc.integer({ min: 0, max: KEYS.length - 1 }),
  touchpointsBefore: fc.integer({ min: 0, max: 2 }),
});

type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

function decisionFor(graph: IdentityGraph, step: Step) {
  const [a, b] = [CUSTOMERS[step.a], CUSTOMERS[step.b]];
  const identity = identityOf(step.identity);
  const common = { by: STAFF, at: AT } as const;
  switch (step.kind) {
    case 'link':
      return identityLinked({ identity, customerId: a, ...common, reason: 'first-seen' });
    case 'unlink': {
      const home = graph.identities.get(identityKey(identity))?.homeCustomerId;
      if (home === undefined || home === a) return null;
      return identityUnlinked({
        identity,
        fromCustomerId: home,
        toCustomerId: a,
        ...common,
        reason: 'explicit-unlink',
      });
    }
    case 'merge': {
      const [ra, rb] = [resolveCustomer(graph, a) ?? a, resolveCustomer(graph, b) ?? b];
      if (ra === rb) return null;
      // `b` itself, merged into another or not: a merge moves it from the survivor it left.
      return customerMerged({
        survivorId: ra,
        mergedId: b,
        evidence: [],
        ...common,
        reason: 'staff-decision',
      });
    }
    case 'unmerge': {
      const survivor = graph.customers.get(b)?.mergedInto;
      if (survivor === undefined) return null;
      return customerUnmerged({
        survivorId: survivor,
        mergedId: b,
        ...common,
        reason: 'staff-decision',
      });
    }
    case 'suggest':
      if (a === b) return null;
      return customerMergeSuggested({
        survivorId: a,
        mergedId: b,
        evidence: [identity],
        reason: 'unverified-identity',
        by: STAFF,
        at: AT,
      });
    case 'dismiss':
      if (a === b) return null;
      return customerMergeSuggestionDismissed({ survivorId: a, mergedId: b, ...common });
  }
}

/** What the queries read of a graph about a customer or an identity. */
function answersAbout(graph: IdentityGraph, customerId: string) {
  const root = resolveCustomer(graph, customerId);
  return {
    root,
    group: root === undefined ? [] : mergeGroupOf(graph, root).sort(),
    profile: customerProfileOf(graph, customerId, () => undefined),
  };
}

describeWithServices(['redis'], 'RedisGraphHistory', (urls) => {
  const redis = testRedis(urls.redis);
  afterAll(() => redis.quit());

  it('answers around any customer or identity as the whole graph of then does, through a tiny LRU', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 30 }), async (steps) => {
        const prefix = `rapport-test:${randomUUID()}:`;
        const store = new SqliteEventStore({ path: ':memory:' });
        try {
          // The whole graph after each position, folded in process: what answers must match.
          const wholeAt = new Map<number, IdentityGraph>([[0, EMPTY_IDENTITY_GRAPH]]);
          let graph = EMPTY_IDENTITY_GRAPH;
          for (const step of steps) {
            for (let t = 0; t < step.touchpointsBefore; t++)
              await store.append('customer-c-0', [
                { id: randomUUID(), type: 'touchpoint.recorded.v1', data: {} },
              ]);
            const decision = decisionFor(graph, step);
            if (!decision) continue;
            await store.append(IDENTITY_GRAPH_STREAM, [
              { id: randomUUID(), type: decision.type, data: decision.data },
            ]);
            graph = evolve(graph, decision as IdentityGraphEvent);
            wholeAt.set(await store.headPosition(), graph);
          }
          const head = await store.headPosition();
          const history = new RedisGraphHistory(redis, store, { prefix, cachedRecords: 2 });
          const travel = new TimeTravel(store, { history });
          let whole = EMPTY_IDENTITY_GRAPH;
          for (let position = 0; position <= head; position++) {
            whole = wholeAt.get(position) ?? whole;
            const resolved = await travel.resolve(String(position));
            if (!resolved.ok) throw new Error(JSON.stringify(resolved.errors));
            for (const id of CUSTOMERS)
              expect([
                position,
                id,
                answersAbout(await resolved.value.graphAround([id]), id),
              ]).toEqual([position, id, answersAbout(whole, id)]);
            for (const key of KEYS)
              expect([
                position,
                key,
                customerOfIdentity(await resolved.value.graphAround([], [key]), key),
              ]).toEqual([position, key, customerOfIdentity(whole, key)]);
            expect(history.recordsHeld).toBeLessThanOrEqual(2);
          }
          // A second process reads what the first folded, and folds nothing again.
          const again = new RedisGraphHistory(redis, store, { prefix, cachedRecords: 2 });
          const revision = await again.revisionAt(head);
          expect(revision).toBe(await history.revisionAt(head));
          for (const id of CUSTOMERS)
            expect(answersAbout(await again.graphAround(revision, [id]), id)).toEqual(
              answersAbout(graph, id),
            );
        } finally {
          await store.close();
          await unlinkKeysStartingWith(redis, prefix);
        }
      }),
      { numRuns: 20 },
    );
  }, 400_000);
});
