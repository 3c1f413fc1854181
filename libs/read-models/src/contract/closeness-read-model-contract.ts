import { type AdapterUnderTest, openModelPerTest } from './adapter-under-test';
import fc from 'fast-check';
import {
  CHANNELS,
  closenessAt,
  closenessRankKey,
  DAY_MS,
  DEFAULT_CLOSENESS_CONFIG,
  DIRECTIONS,
  EMPTY_IDENTITY_GRAPH,
  evolve,
  foldClosenessFacts,
  type ChannelIdentity,
  type ClosenessFact,
  CUSTOMER_ERASED_V1,
  type CustomerErasedV1,
  customerMerged,
  customerUnmerged,
  identityKey,
  identityLinked,
  type IdentityGraphEvent,
} from '@rapport/domain';
import { type RecordedEvent } from '@rapport/event-store';
import { closenessProjection } from '../closeness/closeness-projection';
import { type ClosenessReadModel } from '../closeness/closeness-read-model';
import { ClosenessQueries, PastRankingTooCostlyError } from '../closeness/closeness-queries';
import { CheckpointMismatchError } from '../projection/checkpoint';
import { wholeGraphAsOf } from '../time-travel/log-as-of';

export type ClosenessReadModelUnderTest = AdapterUnderTest<ClosenessReadModel>;

const config = DEFAULT_CLOSENESS_CONFIG;
export const CLOSENESS_T = Date.parse('2026-06-01T00:00:00Z');

/** The e-mail address a test customer writes from: `<customerId>@example.com`. */
export function emailOf(customerId: string): ChannelIdentity {
  return { kind: 'email', value: `${customerId}@example.com` };
}

const STAFF = { kind: 'staff', staffId: 'agent-1' } as const;
const AT = '2026-06-01T00:00:00.000Z';

/** `identity.linked` (first seen): the customer's own e-mail starts it in the identity graph. */
export function firstSeen(customerId: string): IdentityGraphEvent {
  return identityLinked({
    identity: emailOf(customerId),
    customerId,
    by: STAFF,
    at: AT,
    reason: 'first-seen',
  });
}

/**
 * `identity.linked` (seen together): `owner`'s own e-mail joins `customerId`, seen on one
 * touchpoint with `customerId`'s own e-mail — instead of starting `owner`.
 */
export function seenTogether(owner: string, customerId: string): IdentityGraphEvent {
  return identityLinked({
    identity: emailOf(owner),
    customerId,
    via: emailOf(customerId),
    by: STAFF,
    at: AT,
    reason: 'seen-together',
  });
}

export function merged(survivorId: string, mergedId: string): IdentityGraphEvent {
  return customerMerged({
    survivorId,
    mergedId,
    evidence: [],
    reason: 'staff-decision',
    by: STAFF,
    at: AT,
  });
}

export function unmerged(survivorId: string, mergedId: string): IdentityGraphEvent {
  return customerUnmerged({ survivorId, mergedId, reason: 'staff-decision', by: STAFF, at: AT });
}

/**
 * An inbound e-mail of `customerId` from its own address, `daysAgo` before `CLOSENESS_T`,
 * at log `position`.
 */
export function closenessFact(
  position: number,
  customerId: string,
  daysAgo: number,
  overrides: Partial<Extract<ClosenessFact, { kind: 'touchpoint' }>> = {},
): ClosenessFact {
  return {
    kind: 'touchpoint',
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    position,
    customerId,
    bucket: identityKey(emailOf(customerId)),
    occurredAtMs: CLOSENESS_T - daysAgo * DAY_MS,
    channel: 'email',
    direction: 'inbound',
    ...overrides,
  };
}

/** `customer.erased.v1` of a person: these customer ids and their own e-mail addresses. */
export function erasureOf(customerId: string, erasedCustomerIds: string[]): CustomerErasedV1 {
  return {
    customerId,
    erasedCustomerIds: [...erasedCustomerIds].sort(),
    identityKeys: erasedCustomerIds.map((id) => identityKey(emailOf(id))).sort(),
    reason: 'ticket-17',
    requestedBy: 'cli',
    at: AT,
  };
}

/** The log record of `closenessFact(position, customerId, daysAgo)`: an inbound e-mail. */
function touchpointRecord(position: number, customerId: string, daysAgo: number): RecordedEvent {
  const occurredAt = new Date(CLOSENESS_T - daysAgo * DAY_MS).toISOString();
  return {
    id: closenessFact(position, customerId, daysAgo).eventId,
    streamId: `customer-${customerId}`,
    revision: 0,
    position,
    type: 'touchpoint.recorded.v1',
    data: { channel: 'email', direction: 'inbound', identity: emailOf(customerId) },
    metadata: { customerId, occurredAt },
    recordedAt: occurredAt,
  };
}

function erasureRecord(position: number, erasure: CustomerErasedV1): RecordedEvent {
  return {
    id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    streamId: 'customer-erasures',
    revision: 0,
    position,
    type: CUSTOMER_ERASED_V1,
    data: erasure,
    metadata: {},
    recordedAt: AT,
  };
}

/** Random facts of a few customers within a year before `CLOSENESS_T`, positions 1…n. */
const factsArb = fc
  .array(
    fc.record({
      customer: fc.integer({ min: 0, max: 7 }),
      channel: fc.constantFrom(...CHANNELS),
      direction: fc.constantFrom(...DIRECTIONS),
      conversationId: fc.option(fc.constantFrom('t1', 't2'), { nil: undefined }),
      sentiment: fc.option(fc.double({ min: -1, max: 1, noNaN: true }), { nil: undefined }),
      daysAgo: fc.double({ min: 0, max: 365, noNaN: true }),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((rows) =>
    rows.map((r, i) =>
      closenessFact(i + 1, `c-${r.customer}`, r.daysAgo, {
        channel: r.channel,
        direction: r.direction,
        ...(r.conversationId ? { conversationId: r.conversationId } : {}),
        ...(r.sentiment === undefined ? {} : { sentiment: r.sentiment }),
      }),
    ),
  );

/** Batches of the facts, cut where `cuts` say, each with its checkpoint range. */
function batches<T>(facts: T[], cuts: number[]) {
  const points = [...new Set(cuts.map((c) => c % (facts.length + 1)))].sort((a, b) => a - b);
  const out: { facts: T[]; after: number; upTo: number }[] = [];
  let from = 0;
  for (const to of [...points, facts.length]) {
    if (to <= from) continue;
    out.push({ facts: facts.slice(from, to), after: from, upTo: to });
    from = to;
  }
  return out;
}

const CUSTOMERS = ['c-0', 'c-1', 'c-2', 'c-3', 'c-4'];

interface HistoryItem {
  readonly fact?: ClosenessFact;
  readonly event?: IdentityGraphEvent;
  readonly erasure?: CustomerErasedV1;
}

/**
 * Applies history items at positions `after`+1… as the projection does: each erasure alone,
 * between the facts and identity events before and after it.
 */
async function applyItems(
  model: ClosenessReadModel,
  items: readonly HistoryItem[],
  after: number,
): Promise<void> {
  let from = after;
  let facts: ClosenessFact[] = [];
  let events: IdentityGraphEvent[] = [];
  for (const [i, item] of items.entries()) {
    const position = after + i + 1;
    if (item.fact) facts.push(item.fact);
    if (item.event) events.push(item.event);
    if (!item.erasure) continue;
    if (position - 1 > from) await model.apply(facts, { after: from, upTo: position - 1 }, events);
    await model.erase([item.erasure], { after: position - 1, upTo: position });
    [facts, events, from] = [[], [], position];
  }
  if (after + items.length > from)
    await model.apply(facts, { after: from, upTo: after + items.length }, events);
}

/**
 * Random touchpoints of five customers, and staff merges and unmerges among them (only the
 * valid ones: two survivors merge, a directly merged customer is unmerged); each customer
 * is first seen by the graph just before its first merge. `parent` is the reference: who
 * each merged customer redirects to at the end.
 */
const historyArb = fc
  .array(
    fc.oneof(
      fc.record({
        op: fc.constant('fact' as const),
        a: fc.integer({ min: 0, max: 4 }),
        channel: fc.constantFrom(...CHANNELS),
        daysAgo: fc.double({ min: 0, max: 200, noNaN: true }),
      }),
      fc.record({
        op: fc.constantFrom('merge' as const, 'unmerge' as const),
        a: fc.integer({ min: 0, max: 4 }),
        b: fc.integer({ min: 0, max: 4 }),
      }),
    ),
    { minLength: 1, maxLength: 40 },
  )
  .map((ops) => {
    const items: HistoryItem[] = [];
    const parent = new Map<string, string>();
    const seen = new Set<string>();
    const root = (id: string): string => {
      let at = id;
      while (parent.has(at)) at = parent.get(at) as string;
      return at;
    };
    const see = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      items.push({ event: firstSeen(id) });
    };
    for (const op of ops) {
      const a = CUSTOMERS[op.a];
      if (op.op === 'fact') {
        const position = items.length + 1;
        items.push({ fact: closenessFact(position, a, op.daysAgo, { channel: op.channel }) });
      } else if (op.op === 'merge') {
        const b = CUSTOMERS[op.b];
        if (a === b || parent.has(a) || parent.has(b)) continue;
        see(a);
        see(b);
        parent.set(b, a);
        items.push({ event: merged(a, b) });
      } else {
        const survivor = parent.get(a);
        if (survivor === undefined) continue;
        parent.delete(a);
        items.push({ event: unmerged(survivor, a) });
      }
    }
    void root;
    return { items, parent };
  });

/**
 * A random history (`historyArb`) with one person erased at a random point: the merge group
 * of a random customer as it is then. The reference (`expected`) folds each final merge
 * group's facts, without the facts of the erased customers recorded before the erasure
 * (their facts recorded later count afresh).
 */
const erasedHistoryArb = fc
  .tuple(historyArb, fc.nat(), fc.integer({ min: 0, max: 4 }))
  .map(([history, at, who]) => {
    const cut = at % (history.items.length + 1);
    const parent = new Map<string, string>();
    for (const item of history.items.slice(0, cut)) {
      const event = item.event;
      if (event?.type === 'customer.merged.v1')
        parent.set(event.data.mergedId, event.data.survivorId);
      if (event?.type === 'customer.unmerged.v1') parent.delete(event.data.mergedId);
    }
    const root = (id: string): string => {
      let here = id;
      while (parent.has(here)) here = parent.get(here) as string;
      return here;
    };
    const person = root(CUSTOMERS[who]);
    const group = CUSTOMERS.filter((id) => root(id) === person);
    const erasure = erasureOf(person, group);
    const shifted = (item: HistoryItem, by: number): HistoryItem =>
      item.fact ? { fact: { ...item.fact, position: item.fact.position + by } } : item;
    const items: HistoryItem[] = [
      ...history.items.slice(0, cut),
      { erasure },
      ...history.items.slice(cut).map((item) => shifted(item, 1)),
    ];
    const erasedAt = cut + 1;
    const finalRoot = (id: string): string => {
      let here = id;
      while (history.parent.has(here)) here = history.parent.get(here) as string;
      return here;
    };
    const expected = new Map<string, ClosenessFact[]>();
    for (const item of items) {
      const fact = item.fact;
      if (!fact || (fact.position < erasedAt && group.includes(fact.customerId))) continue;
      const owner = finalRoot(fact.customerId);
      expected.set(owner, [...(expected.get(owner) ?? []), fact]);
    }
    return { items, erasedAt, group, expected, finalRoot };
  });

export function describeClosenessReadModelContract(adapter: ClosenessReadModelUnderTest): void {
  describe(`ClosenessReadModel contract: ${adapter.name}`, () => {
    let model: ClosenessReadModel;
    openModelPerTest(adapter, (opened) => (model = opened));

    it('starts empty at checkpoint 0', async () => {
      expect(await model.checkpoint()).toBe(0);
      expect(await model.top(10)).toEqual([]);
      expect(await model.quiet(CLOSENESS_T, 10)).toEqual([]);
      expect(await model.customer('c-1')).toBeNull();
      expect(await model.latestContactMs()).toBeNull();
    });

    it('folds each customer in log order: the state equals the pure fold of its facts', async () => {
      const facts = [
        closenessFact(1, 'c-1', 10, { conversationId: 't', sentiment: 0.4 }),
        closenessFact(2, 'c-2', 3, { channel: 'in_person' }),
        closenessFact(3, 'c-1', 9, { conversationId: 't', direction: 'outbound' }),
        closenessFact(4, 'c-1', 12, { channel: 'chat' }),
      ];
      await model.apply(facts, { after: 0, upTo: 7 });
      expect(await model.checkpoint()).toBe(7);
      const c1 = await model.customer('c-1');
      const c1Facts = facts.filter((f) => f.customerId === 'c-1');
      expect(c1?.facts).toEqual(c1Facts);
      expect(c1?.state).toEqual(foldClosenessFacts('c-1', c1Facts, config));
      expect(await model.latestContactMs()).toBe(facts[1].occurredAtMs);
    });

    it('ranks by the forward-decayed key, highest first, ties by customer id descending', async () => {
      await model.apply(
        [
          closenessFact(1, 'c-a', 5),
          closenessFact(2, 'c-b', 1, { channel: 'in_person' }),
          closenessFact(3, 'c-c', 5),
          closenessFact(4, 'c-d', 30),
        ],
        { after: 0, upTo: 4 },
      );
      const top = await model.top(10);
      expect(top.map((r) => r.customerId)).toEqual(['c-b', 'c-c', 'c-a', 'c-d']);
      expect((await model.top(2)).map((r) => r.customerId)).toEqual(['c-b', 'c-c']);
      const state = (await model.customer('c-b'))?.state;
      expect(top[0].rankKey).toBe(closenessRankKey(state!, config));
      expect(top[0].lastContactMs).toBe(CLOSENESS_T - DAY_MS);
    });

    it('the top as of now: as of now, or of the latest contact when later, as top answers for that moment', async () => {
      const queries = new ClosenessQueries(model);
      expect(await queries.topNow(10, CLOSENESS_T)).toEqual({ asOfMs: CLOSENESS_T, items: [] });
      await model.apply(
        [
          closenessFact(1, 'c-a', 5),
          closenessFact(2, 'c-b', 1, { channel: 'in_person' }),
          closenessFact(3, 'c-c', -2), // dated two days ahead
        ],
        { after: 0, upTo: 3 },
      );
      const latest = CLOSENESS_T + 2 * DAY_MS;
      const early = await queries.topNow(10, CLOSENESS_T);
      expect(early.asOfMs).toBe(latest);
      expect(early.items).toEqual(await queries.top(10, latest));
      expect(early.items.map((r) => r.customerId).sort()).toEqual(['c-a', 'c-b', 'c-c']);
      const later = CLOSENESS_T + 10 * DAY_MS;
      const now = await queries.topNow(2, later);
      expect(now).toEqual({ asOfMs: later, items: await queries.top(2, later) });
      expect(now.items.map((r) => r.rank)).toEqual([1, 2]);
    });

    it('a batch that does not continue from the checkpoint writes nothing', async () => {
      await model.apply([closenessFact(1, 'c-1', 1)], { after: 0, upTo: 1 });
      await expect(
        model.apply([closenessFact(2, 'c-2', 1)], { after: 5, upTo: 6 }),
      ).rejects.toBeInstanceOf(CheckpointMismatchError);
      await expect(
        model.apply([closenessFact(1, 'c-1', 1)], { after: 0, upTo: 1 }),
      ).rejects.toBeInstanceOf(CheckpointMismatchError);
      expect(await model.checkpoint()).toBe(1);
      expect(await model.customer('c-2')).toBeNull();
      expect((await model.customer('c-1'))?.facts).toHaveLength(1);
    });

    it('quiet: the highest-ranked customers with no contact since a time, skipping recent ones', async () => {
      await model.apply(
        [
          closenessFact(1, 'c-recent', 1, { channel: 'in_person' }),
          closenessFact(2, 'c-close', 40, { channel: 'in_person' }),
          closenessFact(3, 'c-far', 60),
          closenessFact(4, 'c-mid', 35, { channel: 'phone' }),
        ],
        { after: 0, upTo: 4 },
      );
      const since = CLOSENESS_T - 30 * DAY_MS;
      expect((await model.quiet(since, 10)).map((r) => r.customerId)).toEqual([
        'c-close',
        'c-mid',
        'c-far',
      ]);
      expect((await model.quiet(since, 1)).map((r) => r.customerId)).toEqual(['c-close']);
    });

    it('quiet: on the day of the bound, only the customers seen by then', async () => {
      await model.apply(
        [
          closenessFact(1, 'c-after', 10.25, { channel: 'in_person' }),
          closenessFact(2, 'c-morning', 10.75),
          closenessFact(3, 'c-at-bound', 10.5, { channel: 'chat' }),
          closenessFact(4, 'c-day-before', 11.2),
        ],
        { after: 0, upTo: 4 },
      );
      const bound = CLOSENESS_T - 10.5 * DAY_MS;
      expect((await model.quiet(bound, 10)).map((r) => r.customerId)).toEqual([
        'c-at-bound',
        'c-morning',
        'c-day-before',
      ]);
      expect((await model.quiet(bound, 2)).map((r) => r.customerId)).toEqual([
        'c-at-bound',
        'c-morning',
      ]);
    });

    it('the ranking equals sorting every customer by computed score, at several moments, whatever the batches', async () => {
      await fc.assert(
        fc.asyncProperty(
          factsArb,
          fc.array(fc.nat(), { maxLength: 4 }),
          fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 3 }),
          fc.array(fc.double({ min: 0, max: 370, noNaN: true }), { maxLength: 3 }),
          async (facts, cuts, laterDays, pastDays) => {
            await model.clear();
            for (const batch of batches(facts, cuts))
              await model.apply(batch.facts, { after: batch.after, upTo: batch.upTo });
            const ranked = await model.top(1000);
            const customers = [...new Set(facts.map((f) => f.customerId))];
            expect(ranked).toHaveLength(customers.length);
            const queries = new ClosenessQueries(model);
            for (const days of laterDays) {
              const at = CLOSENESS_T + days * DAY_MS;
              const computed = customers
                .map((id) => {
                  const own = facts.filter((f) => f.customerId === id);
                  return closenessAt(foldClosenessFacts(id, own, config), at, config).score;
                })
                .sort((a, b) => b - a);
              const top = await queries.top(1000, at);
              expect(top.map((r) => r.score)).toEqual(computed);
              // gone quiet since a bound: the ranking's customers last seen by then, in order
              for (const [limit, bound] of [
                [1, at - 30 * DAY_MS],
                [3, at - 30 * DAY_MS],
                [1000, at - 30 * DAY_MS],
                [2, CLOSENESS_T - 100.5 * DAY_MS],
                [1000, CLOSENESS_T - 200 * DAY_MS],
              ]) {
                const expected = ranked
                  .filter((r) => (r.lastContactMs as number) <= bound)
                  .slice(0, limit);
                expect(await model.quiet(bound, limit)).toEqual(expected);
              }
              // and each one's score is exactly the one its own report computes
              for (const r of top.slice(0, 3))
                expect((await queries.customer(r.customerId, at, { days: 1 }))?.score).toBe(
                  r.score,
                );
            }
            // As of earlier moments too: the customers in contact by then, by their scores then.
            for (const days of pastDays) {
              const at = CLOSENESS_T - days * DAY_MS;
              const then = customers
                .map((id) => {
                  const own = facts.filter((f) => f.customerId === id && f.occurredAtMs <= at);
                  const state = foldClosenessFacts(id, own, config);
                  return { id, state, score: closenessAt(state, at, config).score };
                })
                .filter((c) => c.state.facts > 0);
              const top = await queries.top(1000, at);
              expect(top.map((r) => r.score)).toEqual(
                then.map((c) => c.score).sort((a, b) => b - a),
              );
              const start = at - 30 * DAY_MS;
              const atRisk = await queries.atRisk(30 * DAY_MS, 1000, at);
              const quietThen = then.filter((c) => (c.state.lastContactMs as number) <= start);
              expect(atRisk.map((r) => r.customerId).sort()).toEqual(
                quietThen.map((c) => c.id).sort(),
              );
              expect(atRisk.map((r) => r.score)).toEqual(
                quietThen.map((c) => c.score).sort((a, b) => b - a),
              );
            }
          },
        ),
        { numRuns: 25 },
      );
    });

    it('a merge folds the survivor from both customers and takes the merged id out of the rankings; an unmerge splits them back exactly', async () => {
      const c1 = [closenessFact(1, 'c-1', 20), closenessFact(2, 'c-1', 12, { channel: 'chat' })];
      const c2 = [
        closenessFact(3, 'c-2', 15, { channel: 'in_person' }),
        closenessFact(4, 'c-2', 2, { channel: 'phone' }),
      ];
      await model.apply([...c1, ...c2], { after: 0, upTo: 6 }, [
        firstSeen('c-1'),
        firstSeen('c-2'),
      ]);
      await model.apply([], { after: 6, upTo: 7 }, [merged('c-1', 'c-2')]);
      const both = [...c1, ...c2];
      const viaMerged = await model.customer('c-2');
      expect(viaMerged?.customerId).toBe('c-1');
      expect(viaMerged?.facts).toEqual(both);
      expect(viaMerged?.state).toEqual(foldClosenessFacts('c-1', both, config));
      const top = await model.top(10);
      expect(top.map((r) => r.customerId)).toEqual(['c-1']);
      expect(top[0].rankKey).toBe(
        closenessRankKey(foldClosenessFacts('c-1', both, config), config),
      );
      expect((await model.quiet(CLOSENESS_T, 10)).map((r) => r.customerId)).toEqual(['c-1']);

      // A later touchpoint from the merged customer's address counts for the survivor.
      const later = closenessFact(8, 'c-2', 1, { channel: 'chat' });
      await model.apply([later], { after: 7, upTo: 8 });
      expect((await model.customer('c-1'))?.state).toEqual(
        foldClosenessFacts('c-1', [...both, later], config),
      );

      // As of the log before the merge (the graph of then): each its own, up to that position.
      const before = [firstSeen('c-1'), firstSeen('c-2')].reduce(evolve, EMPTY_IDENTITY_GRAPH);
      const asOf6 = await model.customerAsOf('c-2', wholeGraphAsOf(6, before));
      expect(asOf6?.customerId).toBe('c-2');
      expect(asOf6?.state).toEqual(foldClosenessFacts('c-2', c2, config));
      const merged7 = evolve(before, merged('c-1', 'c-2'));
      const asOf7 = await model.customerAsOf('c-2', wholeGraphAsOf(7, merged7));
      expect(asOf7?.customerId).toBe('c-1');
      expect(asOf7?.facts).toEqual(both);
      expect(await model.customerAsOf('c-2', wholeGraphAsOf(2, before))).toBeNull();

      await model.apply([], { after: 8, upTo: 9 }, [unmerged('c-1', 'c-2')]);
      const one = await model.customer('c-1');
      const two = await model.customer('c-2');
      expect(one?.customerId).toBe('c-1');
      expect(one?.state).toEqual(foldClosenessFacts('c-1', c1, config));
      expect(two?.customerId).toBe('c-2');
      expect(two?.facts).toEqual([...c2, later]);
      expect(two?.state).toEqual(foldClosenessFacts('c-2', [...c2, later], config));
      expect((await model.top(10)).map((r) => r.customerId).sort()).toEqual(['c-1', 'c-2']);
    });

    it("an identity's facts filed before resolution placed it move to the customer it is linked to", async () => {
      const early = closenessFact(1, 'c-new', 5, { channel: 'in_person' });
      await model.apply([early], { after: 0, upTo: 1 });
      expect((await model.top(10)).map((r) => r.customerId)).toEqual(['c-new']);
      const own = closenessFact(2, 'c-a', 9);
      const linked = seenTogether('c-new', 'c-a');
      await model.apply([own], { after: 1, upTo: 4 }, [firstSeen('c-a'), linked]);
      expect((await model.top(10)).map((r) => r.customerId)).toEqual(['c-a']);
      const a = await model.customer('c-a');
      expect(a?.facts).toEqual([early, own]);
      expect(a?.state).toEqual(foldClosenessFacts('c-a', [early, own], config));
      // The id its first fact was filed for answers with the customer it was linked to.
      expect((await model.customer('c-new'))?.customerId).toBe('c-a');
    });

    it('as of a position, an id answers for the customer its identity was linked to only once its own facts had begun', async () => {
      const own = closenessFact(1, 'c-a', 9);
      const linked = seenTogether('c-new', 'c-a');
      const late = closenessFact(4, 'c-new', 5);
      await model.apply([own], { after: 0, upTo: 3 }, [firstSeen('c-a'), linked]);
      await model.apply([late], { after: 3, upTo: 4 });
      const graph = [firstSeen('c-a'), linked].reduce(evolve, EMPTY_IDENTITY_GRAPH);
      expect(await model.customerAsOf('c-new', wholeGraphAsOf(3, graph))).toBeNull();
      const then = await model.customerAsOf('c-new', wholeGraphAsOf(4, graph));
      expect(then?.customerId).toBe('c-a');
      expect(then?.facts).toEqual([own, late]);
    });

    it('follows random merges and unmerges: every score is the fold of its merge group, whatever the batches', async () => {
      await fc.assert(
        fc.asyncProperty(
          historyArb,
          fc.array(fc.nat(), { maxLength: 4 }),
          async (history, cuts) => {
            await model.clear();
            for (const batch of batches(history.items, cuts))
              await model.apply(
                batch.facts.flatMap((i) => (i.fact ? [i.fact] : [])),
                { after: batch.after, upTo: batch.upTo },
                batch.facts.flatMap((i) => (i.event ? [i.event] : [])),
              );
            const root = (id: string): string => {
              let at = id;
              while (history.parent.has(at)) at = history.parent.get(at) as string;
              return at;
            };
            const facts = history.items.flatMap((i) => (i.fact ? [i.fact] : []));
            const expected = new Map<string, ClosenessFact[]>();
            for (const fact of facts) {
              const list = expected.get(root(fact.customerId)) ?? [];
              expected.set(root(fact.customerId), [...list, fact]);
            }
            const ranked = await model.top(1000);
            expect(ranked.map((r) => r.customerId).sort()).toEqual([...expected.keys()].sort());
            for (const id of CUSTOMERS) {
              const found = await model.customer(id);
              const own = expected.get(root(id));
              if (!own) {
                expect(found).toBeNull();
                continue;
              }
              expect(found?.customerId).toBe(root(id));
              expect(found?.state).toEqual(foldClosenessFacts(root(id), own, config));
            }
          },
        ),
        { numRuns: 30 },
      );
    });

    it('an erasure drops the person: rankings, at-risk, facts and streams go, their ids answer as unknown, others keep their scores', async () => {
      const c1 = [
        closenessFact(1, 'c-1', 20),
        closenessFact(2, 'c-1', 40, { channel: 'in_person' }),
      ];
      const c2 = [closenessFact(3, 'c-2', 15, { channel: 'phone' })];
      const c3 = [closenessFact(4, 'c-3', 35), closenessFact(5, 'c-3', 1, { channel: 'chat' })];
      const c4 = [closenessFact(6, 'c-4', 50)];
      const idea: ClosenessFact = {
        kind: 'co-creation',
        coCreation: 'voted',
        eventId: '00000000-0000-4000-8000-000000000007',
        position: 7,
        customerId: 'c-2',
        bucket: 'customer:c-2',
        occurredAtMs: CLOSENESS_T - 12 * DAY_MS,
      };
      await model.apply([...c1, ...c2, ...c3, ...c4, idea], { after: 0, upTo: 10 }, [
        firstSeen('c-1'),
        firstSeen('c-2'),
        merged('c-1', 'c-2'),
      ]);
      const latest = await model.latestContactMs();
      expect((await model.top(10)).map((r) => r.customerId)).toEqual(['c-1', 'c-3', 'c-4']);
      const erasure = erasureOf('c-1', ['c-1', 'c-2']);

      // Like every batch, an erasure continues the checkpoint or writes nothing.
      await expect(model.erase([erasure], { after: 3, upTo: 11 })).rejects.toBeInstanceOf(
        CheckpointMismatchError,
      );
      expect((await model.customer('c-2'))?.customerId).toBe('c-1');

      await model.erase([erasure], { after: 10, upTo: 11 });
      expect(await model.checkpoint()).toBe(11);
      const top = await model.top(10);
      expect(top.map((r) => r.customerId)).toEqual(['c-3', 'c-4']);
      expect(top[0].rankKey).toBe(closenessRankKey(foldClosenessFacts('c-3', c3, config), config));
      expect((await model.quiet(CLOSENESS_T, 10)).map((r) => r.customerId)).toEqual(['c-3', 'c-4']);
      expect((await model.quiet(CLOSENESS_T - 10 * DAY_MS, 10)).map((r) => r.customerId)).toEqual([
        'c-4',
      ]);
      expect(await model.contactedAfter(CLOSENESS_T - 30 * DAY_MS, 10)).toEqual(['c-3']);
      for (const id of ['c-1', 'c-2']) {
        expect(await model.customer(id)).toBeNull();
        expect((await model.factsOf([id])).get(id)).toEqual([]);
      }
      const before = [firstSeen('c-1'), firstSeen('c-2'), merged('c-1', 'c-2')].reduce(
        evolve,
        EMPTY_IDENTITY_GRAPH,
      );
      expect(await model.customerAsOf('c-2', wholeGraphAsOf(10, before))).toBeNull();
      expect(await model.customerAsOf('c-1', wholeGraphAsOf(10, before))).toBeNull();
      expect((await model.customer('c-3'))?.state).toEqual(foldClosenessFacts('c-3', c3, config));
      // An aggregate without an id is kept.
      expect(await model.latestContactMs()).toBe(latest);
      const queries = new ClosenessQueries(model);
      expect(await queries.customer('c-2', CLOSENESS_T)).toBeNull();
      expect((await queries.top(10, CLOSENESS_T - 30 * DAY_MS)).map((r) => r.customerId)).toEqual([
        'c-3',
        'c-4',
      ]);

      // A contact that comes later (the suppression lifted) counts afresh, alone.
      const again = closenessFact(12, 'c-1', 2);
      await model.apply([again], { after: 11, upTo: 12 });
      const back = await model.customer('c-2');
      expect(back?.customerId).toBe('c-1');
      expect(back?.facts).toEqual([again]);
      expect(back?.state).toEqual(foldClosenessFacts('c-1', [again], config));
    });

    it('the projection applies an erasure alone: what came before it is dropped, what came after it counts', async () => {
      const projection = closenessProjection(model);
      await projection.applyBatch(
        [
          touchpointRecord(1, 'c-1', 10),
          touchpointRecord(2, 'c-2', 9),
          erasureRecord(3, erasureOf('c-1', ['c-1'])),
          touchpointRecord(4, 'c-1', 1),
          erasureRecord(5, erasureOf('c-2', ['c-2'])),
        ],
        { after: 0, upTo: 5 },
      );
      expect(await model.checkpoint()).toBe(5);
      expect((await model.top(10)).map((r) => r.customerId)).toEqual(['c-1']);
      expect((await model.customer('c-1'))?.facts).toEqual([closenessFact(4, 'c-1', 1)]);
      expect(await model.customer('c-2')).toBeNull();
    });

    it('after random merges, unmerges and an erasure, every score is the fold of what is left, and a rebuild in other batches gives the same model', async () => {
      await fc.assert(
        fc.asyncProperty(
          erasedHistoryArb,
          fc.array(fc.nat(), { maxLength: 4 }),
          fc.array(fc.nat(), { maxLength: 4 }),
          async (history, liveCuts, rebuildCuts) => {
            const snapshot = async () => {
              const ids = [...CUSTOMERS, 'c-x'];
              return {
                checkpoint: await model.checkpoint(),
                top: await model.top(1000),
                quiet: await model.quiet(CLOSENESS_T - 30 * DAY_MS, 1000),
                customers: await Promise.all(ids.map((id) => model.customer(id))),
                latest: await model.latestContactMs(),
              };
            };
            const run = async (cuts: number[]) => {
              await model.clear();
              for (const batch of batches(history.items, cuts))
                await applyItems(model, batch.facts, batch.after);
              return snapshot();
            };
            const live = await run(liveCuts);
            expect(live.top.map((r) => r.customerId).sort()).toEqual(
              [...history.expected.keys()].sort(),
            );
            for (const id of CUSTOMERS) {
              const found = await model.customer(id);
              const own = history.expected.get(history.finalRoot(id));
              if (!own) expect(found).toBeNull();
              else expect(found?.state).toEqual(foldClosenessFacts(found!.customerId, own, config));
            }
            expect(await run(rebuildCuts)).toEqual(live);
          },
        ),
        { numRuns: 30 },
      );
    });

    it('a ranking as of a moment before contacts folds the customers contacted since then again, up to a bound', async () => {
      await model.apply(
        [
          closenessFact(1, 'c-old', 50, { channel: 'in_person' }),
          closenessFact(2, 'c-new', 40),
          closenessFact(3, 'c-new', 5, { channel: 'in_person' }),
          closenessFact(4, 'c-later', 3),
        ],
        { after: 0, upTo: 4 },
      );
      const at = CLOSENESS_T - 20 * DAY_MS;
      expect(await model.contactedAfter(at, 10)).toEqual(
        expect.arrayContaining(['c-new', 'c-later']),
      );
      expect(await model.contactedAfter(at, 1)).toBeNull();
      const queries = new ClosenessQueries(model);
      // As of 20 days ago: c-new had only its e-mail, c-later nothing yet.
      expect((await queries.top(10, at)).map((r) => r.customerId)).toEqual(['c-old', 'c-new']);
      const bounded = new ClosenessQueries(model, { maxRefold: 1 });
      await expect(bounded.top(10, at)).rejects.toBeInstanceOf(PastRankingTooCostlyError);
      // As of the latest contact or later, the sorted set answers as it is (nothing refolded).
      expect((await bounded.top(10, CLOSENESS_T)).map((r) => r.customerId)).toEqual([
        'c-new',
        'c-old',
        'c-later',
      ]);
    });

    it('clear forgets everything', async () => {
      await model.apply([closenessFact(1, 'c-1', 1)], { after: 0, upTo: 1 });
      await model.clear();
      expect(await model.checkpoint()).toBe(0);
      expect(await model.top(10)).toEqual([]);
      expect(await model.customer('c-1')).toBeNull();
      expect(await model.latestContactMs()).toBeNull();
    });
  });
}
