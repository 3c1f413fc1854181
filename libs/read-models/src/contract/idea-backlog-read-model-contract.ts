import { type AdapterUnderTest, openModelPerTest } from './adapter-under-test';
import fc from 'fast-check';
import {
  BACKLOG_SORTS,
  type BacklogQuery,
  CUSTOMER_ERASED_V1,
  type CustomerErasedV1,
  ERASED,
  evolveIdea,
  type Idea,
  type IdeaEvent,
  type IdeaStatus,
  ideaCommented,
  ideaMerged,
  ideaRiceScored,
  ideaStatusChanged,
  ideaSubmitted,
  ideaVoteWithdrawn,
  ideaVoted,
  IDEA_STATUSES,
  mapPersonalFields,
  PRIORITY_MODES,
  rankBacklog,
  type RankingContext,
} from '@rapport/domain';
import { type RecordedEvent } from '@rapport/event-store';
import { listBacklog, ideaBacklogProjection } from '../ideas/idea-backlog-projection';
import { rankedBacklogPage } from '../ideas/ranked-backlog-page';
import { type IdeaBacklogReadModel } from '../ideas/idea-backlog-read-model';
import { CheckpointMismatchError } from '../projection/checkpoint';

export type IdeaBacklogReadModelUnderTest = AdapterUnderTest<IdeaBacklogReadModel>;

const NOW = '2026-03-31T00:00:00.000Z';
const OLD = '2026-01-01T00:00:00.000Z';
const RECENT = '2026-03-25T00:00:00.000Z';
const staff = { kind: 'staff', staffId: 's1' } as const;

function submit(ideaId: string, title: string, customerId: string, at = OLD): IdeaEvent[] {
  return [
    ideaSubmitted({ ideaId, title, customerId, origin: staff, at }),
    ideaVoted({ ideaId, customerId, origin: staff, at }),
  ];
}
const vote = (ideaId: string, customerId: string, at = OLD) =>
  ideaVoted({ ideaId, customerId, origin: staff, at });
const status = (ideaId: string, from: IdeaStatus, to: IdeaStatus) =>
  ideaStatusChanged({ ideaId, from, to, staffId: 's1', at: OLD });

/** `customer.erased.v1`: one person, as their customer ids. */
type ErasureEvent = { readonly type: typeof CUSTOMER_ERASED_V1; readonly data: CustomerErasedV1 };
type LogEvent = IdeaEvent | ErasureEvent;

function erased(customerId: string, erasedCustomerIds: string[]): ErasureEvent {
  return {
    type: CUSTOMER_ERASED_V1,
    data: {
      customerId,
      erasedCustomerIds,
      identityKeys: erasedCustomerIds.map((id) => `email:~${id}`),
      reason: 'ticket-17',
      requestedBy: 'cli',
      at: NOW,
    },
  };
}

/** Log records for events, positions from `first`. */
function recorded(events: readonly LogEvent[], first: number): RecordedEvent[] {
  return events.map((event, i) => ({
    id: `00000000-0000-4000-8000-${String(first + i).padStart(12, '0')}`,
    streamId: 'ideaId' in event.data ? `idea-${event.data.ideaId}` : 'customer-erasures',
    revision: i,
    position: first + i,
    type: event.type,
    data: event.data,
    metadata: {},
    recordedAt: NOW,
  }));
}

/**
 * The log as a projection reads it once the keys of these customers are destroyed: their
 * personal texts (ideas they sent from a touchpoint, their comments) read as `ERASED`.
 */
function readAfterErasure(events: readonly RecordedEvent[], gone: ReadonlySet<string>) {
  return events.map((event) => {
    const { data } = mapPersonalFields(event, (subject, _field, value) =>
      gone.has(subject) ? ERASED : value,
    );
    return data === event.data ? event : { ...event, data };
  });
}

const IDEA_IDS = ['a', 'b', 'c'];
/** People, as the customer ids they are known by (merged ids of one person together). */
const PEOPLE: Record<string, string[]> = {
  p0: ['c-p0a', 'c-p0b'],
  p1: ['c-p1'],
  p2: ['c-p2'],
  p3: ['c-p3'],
};
const PERSON_OF = new Map(
  Object.entries(PEOPLE).flatMap(([person, ids]) => ids.map((id) => [id, person] as const)),
);
const ALL_IDS = [...PERSON_OF.keys()];

type IdeaOp =
  | { op: 'submit'; idea: number; by: number; viaTouchpoint: boolean }
  | { op: 'vote' | 'withdraw'; idea: number; by: number }
  | { op: 'comment'; idea: number; by: number; staff: boolean }
  | { op: 'merge'; idea: number; into: number }
  | { op: 'erase'; person: number };

const ideaOpArb: fc.Arbitrary<IdeaOp> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('submit' as const),
      idea: fc.nat(2),
      by: fc.nat(4),
      viaTouchpoint: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constantFrom('vote' as const, 'vote' as const, 'withdraw' as const),
      idea: fc.nat(2),
      by: fc.nat(4),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('comment' as const),
      idea: fc.nat(2),
      by: fc.nat(4),
      staff: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('merge' as const), idea: fc.nat(2), into: fc.nat(2) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('erase' as const), person: fc.nat(3) }) },
);

/**
 * A valid idea log from random operations: the log's own view of each idea (real customer
 * ids) decides merges; a person once erased does nothing more (their identities are
 * suppressed), but merges still carry their earlier votes and comments.
 */
function ideaLog(ops: readonly IdeaOp[]) {
  const log: LogEvent[] = [];
  const ideas = new Map<string, Idea | null>(IDEA_IDS.map((id) => [id, null]));
  const gone = new Set<string>();
  const add = (event: IdeaEvent) => {
    log.push(event);
    ideas.set(event.data.ideaId, evolveIdea(ideas.get(event.data.ideaId) ?? null, event));
  };
  ops.forEach((o, n) => {
    const at = new Date(Date.parse(OLD) + n * 86_400_000).toISOString();
    if (o.op === 'erase') {
      const person = Object.keys(PEOPLE)[o.person];
      if (gone.has(PEOPLE[person][0])) return;
      for (const id of PEOPLE[person]) gone.add(id);
      log.push(erased(PEOPLE[person][0], PEOPLE[person]));
      return;
    }
    const ideaId = IDEA_IDS[o.idea];
    const idea = ideas.get(ideaId) ?? null;
    if (o.op === 'merge') {
      const into = ideas.get(IDEA_IDS[o.into]) ?? null;
      if (!idea || !into || idea === into || idea.mergedInto || into.mergedInto) return;
      const merge = {
        mergedIdeaId: idea.id,
        survivorIdeaId: into.id,
        votes: [...idea.votes.values()],
        comments: idea.comments,
        staffId: 's1',
        at,
      };
      add(ideaMerged({ ideaId: idea.id, ...merge }));
      add(ideaMerged({ ideaId: into.id, ...merge }));
      return;
    }
    const customerId = ALL_IDS[o.by];
    if (gone.has(customerId)) return;
    if (o.op === 'submit') {
      if (idea) return;
      const origin = o.viaTouchpoint
        ? ({ kind: 'touchpoint', touchpointEventId: `t-${n}`, channel: 'email' } as const)
        : staff;
      add(
        ideaSubmitted({
          ideaId,
          title: `Idea ${ideaId} of ${customerId}`,
          description: `why ${customerId} wants it`,
          customerId,
          origin,
          at,
        }),
      );
      add(ideaVoted({ ideaId, customerId, origin, at }));
      return;
    }
    if (!idea || idea.mergedInto) return;
    if (o.op === 'comment')
      add(
        ideaCommented({
          ideaId,
          commentId: `k${n}`,
          author: o.staff ? staff : { kind: 'customer', customerId },
          text: o.staff ? `staff note ${n}` : `${customerId} says ${n}`,
          at,
        }),
      );
    else if (o.op === 'vote') add(ideaVoted({ ideaId, customerId, origin: staff, at }));
    else add(ideaVoteWithdrawn({ ideaId, customerId, origin: staff, at }));
  });
  return { log, ideas, gone };
}

/** The contract every idea backlog read model passes, fed through the projection. */
export function describeIdeaBacklogReadModelContract(subject: IdeaBacklogReadModelUnderTest): void {
  describe(`idea backlog read model contract: ${subject.name}`, () => {
    let model: IdeaBacklogReadModel;
    let position: number;
    openModelPerTest(subject, (opened) => {
      model = opened;
      position = 0;
    });

    /** Projects the events as one batch continuing the model's checkpoint. */
    async function project(...events: LogEvent[]): Promise<void> {
      const batch = recorded(events, position + 1);
      const upTo = position + events.length;
      await ideaBacklogProjection(model).applyBatch(batch, { after: position, upTo });
      position = upTo;
    }

    const list = (
      query: Partial<Parameters<typeof listBacklog>[1]> = {},
      closeness?: (c: string) => number,
    ) =>
      listBacklog(
        model,
        { sort: 'priority', priority: 'count', limit: 50, ...query },
        { now: NOW, ...(closeness ? { closeness } : {}) },
      );

    it('starts empty at checkpoint 0 and moves the checkpoint with every batch, idea events or not', async () => {
      expect(await model.checkpoint()).toBe(0);
      expect(await model.list()).toEqual([]);
      await model.apply([], { after: 0, upTo: 7 });
      expect(await model.checkpoint()).toBe(7);
    });

    it('refuses a batch that does not continue the checkpoint, writing nothing', async () => {
      await project(...submit('i1', 'Dark mode', 'ann'));
      const view = (await model.getMany(['i1'])).get('i1')!;
      await expect(
        model.apply([{ ...view, title: 'changed' }], { after: 0, upTo: 9 }),
      ).rejects.toBeInstanceOf(CheckpointMismatchError);
      expect(await model.checkpoint()).toBe(2);
      expect((await model.getMany(['i1'])).get('i1')!.title).toBe('Dark mode');
    });

    it('keeps each idea’s document: supporters, comments, history', async () => {
      await project(...submit('i1', 'Dark mode', 'ann'), vote('i1', 'bob'));
      await project(
        ideaCommented({
          ideaId: 'i1',
          commentId: 'c1',
          author: { kind: 'customer', customerId: 'bob' },
          text: 'yes',
          at: OLD,
        }),
        status('i1', 'new', 'under_review'),
        ideaVoteWithdrawn({ ideaId: 'i1', customerId: 'ann', origin: staff, at: OLD }),
      );
      const view = (await model.getMany(['i1', 'nope'])).get('i1')!;
      expect(view).toMatchObject({
        ideaId: 'i1',
        title: 'Dark mode',
        status: 'under_review',
        submittedBy: 'ann',
        position: 6,
      });
      expect(view.votes.map((v) => v.customerId)).toEqual(['bob']);
      expect(view.comments.map((c) => c.commentId)).toEqual(['c1']);
      expect(view.history.map((h) => h.status)).toEqual(['new', 'under_review']);
      expect((await model.getMany(['nope'])).size).toBe(0);
    });

    it('lists by status, leaving merged ideas out', async () => {
      await project(
        ...submit('i1', 'Dark mode', 'ann'),
        ...submit('i2', 'Night theme', 'bob'),
        ...submit('i3', 'Gift wrap', 'cy'),
      );
      await project(status('i3', 'new', 'under_review'), status('i3', 'under_review', 'planned'));
      const merge = {
        mergedIdeaId: 'i2',
        survivorIdeaId: 'i1',
        votes: [{ customerId: 'bob', origin: staff, at: OLD }],
        comments: [],
        staffId: 's1',
        at: OLD,
      };
      await project(ideaMerged({ ideaId: 'i2', ...merge }), ideaMerged({ ideaId: 'i1', ...merge }));
      expect((await list({ statuses: ['new'] })).items.map((i) => i.ideaId)).toEqual(['i1']);
      expect((await list({ statuses: ['planned', 'shipped'] })).items.map((i) => i.ideaId)).toEqual(
        ['i3'],
      );
      expect((await list()).total).toBe(2);
      const i1 = (await list({ statuses: ['new'] })).items[0];
      expect(i1).toMatchObject({ votes: 2, mergedFrom: ['i2'] });
      expect((await model.getMany(['i2'])).get('i2')!.mergedInto).toBe('i1');
    });

    it('sorts by priority: plain count, closeness-weighted, or RICE', async () => {
      await project(
        ...submit('few', 'A', 'ann'),
        ...submit('many', 'B', 'bob'),
        vote('many', 'cy'),
        vote('many', 'dan'),
      );
      await project(
        ideaRiceScored({
          ideaId: 'few',
          reach: 100,
          impact: 2,
          confidence: 1,
          effort: 1,
          staffId: 's1',
          at: OLD,
        }),
        ideaRiceScored({
          ideaId: 'many',
          reach: 10,
          impact: 1,
          confidence: 0.5,
          effort: 2,
          staffId: 's1',
          at: OLD,
        }),
      );
      expect((await list()).items.map((i) => [i.ideaId, i.priority])).toEqual([
        ['many', 3],
        ['few', 1],
      ]);
      const close = (c: string) => (c === 'ann' ? 10 : 1);
      expect(
        (await list({ priority: 'closeness' }, close)).items.map((i) => [i.ideaId, i.priority]),
      ).toEqual([
        ['few', 10],
        ['many', 3],
      ]);
      expect((await list({ priority: 'rice' })).items.map((i) => [i.ideaId, i.priority])).toEqual([
        ['few', 200],
        ['many', 2.5],
      ]);
    });

    it('sorts by trend: supporters in the last N days', async () => {
      await project(...submit('old', 'Old favourite', 'a'), vote('old', 'b'), vote('old', 'c'));
      await project(...submit('hot', 'Hot new thing', 'd', RECENT), vote('hot', 'e', RECENT));
      const page = await list({ sort: 'trend', trendDays: 14 });
      expect(page.items.map((i) => [i.ideaId, i.trend, i.votes])).toEqual([
        ['hot', 2, 2],
        ['old', 0, 3],
      ]);
      expect((await list({ sort: 'trend', trendDays: 365 })).items[0].ideaId).toBe('old');
    });

    it('searches titles by words, ignoring case and accents', async () => {
      await project(
        ...submit('i1', 'Dark mode for the Café app', 'a'),
        ...submit('i2', 'Darker receipts', 'b'),
        ...submit('i3', 'Gift wrap', 'c'),
      );
      expect((await list({ q: 'dark' })).items.map((i) => i.ideaId).sort()).toEqual(['i1', 'i2']);
      expect((await list({ q: 'CAFE dark' })).items.map((i) => i.ideaId)).toEqual(['i1']);
      expect((await list({ q: 'nothing' })).items).toEqual([]);
    });

    it('pages with limit and offset and reports the total', async () => {
      await project(
        ...submit('i1', 'A', 'a'),
        ...submit('i2', 'B', 'b'),
        ...submit('i3', 'C', 'c'),
      );
      const page = await list({ limit: 2, offset: 1, sort: 'newest' });
      expect(page.total).toBe(3);
      expect(page.items).toHaveLength(2);
    });

    it('finds the ideas a customer submitted or supports', async () => {
      await project(
        ...submit('i1', 'A', 'ann'),
        ...submit('i2', 'B', 'bob'),
        vote('i2', 'ann'),
        ...submit('i3', 'C', 'cy'),
      );
      expect((await model.ideasOfCustomer('ann')).map((v) => v.ideaId).sort()).toEqual([
        'i1',
        'i2',
      ]);
      expect(await model.ideasOfCustomer('nobody')).toEqual([]);
    });

    it('an erasure keeps the person’s votes counted but anonymous, erases the texts they wrote, and drops their indexes', async () => {
      const touchpoint = { kind: 'touchpoint', touchpointEventId: 't-1', channel: 'chat' } as const;
      await project(
        ideaSubmitted({
          ideaId: 'i1',
          title: 'Dark mode',
          description: 'my eyes hurt',
          customerId: 'c-ann',
          origin: touchpoint,
          at: OLD,
        }),
        ideaVoted({ ideaId: 'i1', customerId: 'c-ann', origin: touchpoint, at: OLD }),
        vote('i1', 'c-bob'),
        ...submit('i2', 'Gift wrap', 'c-bob'),
        vote('i2', 'c-ann', RECENT),
        vote('i2', 'c-ann-old'),
        ideaCommented({
          ideaId: 'i2',
          commentId: 'k1',
          author: { kind: 'customer', customerId: 'c-ann-old' },
          text: 'please, for my niece',
          at: OLD,
        }),
        ideaCommented({ ideaId: 'i2', commentId: 'k2', author: staff, text: 'noted', at: OLD }),
        ...submit('i3', 'Gift paper', 'c-cy'),
        vote('i3', 'c-ann'),
      );
      const votes = async () =>
        Object.fromEntries((await list()).items.map((i) => [i.ideaId, i.votes]));
      // Without redirects (no timeline here) the person's two ids count twice on i2.
      expect(await votes()).toEqual({ i1: 2, i2: 3, i3: 2 });
      await project(erased('c-ann', ['c-ann', 'c-ann-old']));

      const views = await model.getMany(['i1', 'i2', 'i3']);
      const i1 = views.get('i1')!;
      expect(i1.title).toBeNull();
      expect(i1.description).toBeUndefined();
      expect(i1.erased).toBe(true);
      expect(i1.submittedBy).toMatch(/^anonymous-[0-9a-f]{24}$/);
      expect(i1.votes.map((v) => v.customerId).sort()).toEqual(['c-bob', i1.submittedBy].sort());
      const i2 = views.get('i2')!;
      expect(i2.title).toBe('Gift wrap');
      expect(i2.erased).toBeUndefined();
      // Both ids of the person are one anonymous supporter, with their latest vote.
      const anonymous = i2.votes.filter((v) => v.customerId.startsWith('anonymous-'));
      expect(anonymous).toHaveLength(1);
      expect(anonymous[0].at).toBe(RECENT);
      expect(anonymous[0].customerId).not.toBe(i1.submittedBy); // not linkable across ideas
      expect(i2.comments).toEqual([
        {
          commentId: 'k1',
          author: { kind: 'customer', customerId: anonymous[0].customerId },
          text: null,
          erased: true,
          at: OLD,
        },
        { commentId: 'k2', author: staff, text: 'noted', at: OLD },
      ]);
      // Counted as before — the person once (as the timeline's redirects counted them) —
      // and the trend still sees their recent vote.
      expect(await votes()).toEqual({ i1: 2, i2: 2, i3: 2 });
      expect((await list({ sort: 'trend', trendDays: 14 })).items[0]).toMatchObject({
        ideaId: 'i2',
        trend: 1,
      });
      expect((await list({ q: 'dark' })).items).toEqual([]);
      const everything = JSON.stringify([[...views.values()], await model.list()]);
      for (const gone of ['c-ann', 'Dark mode', 'my eyes hurt', 'niece'])
        expect(everything).not.toContain(gone);
      for (const id of ['c-ann', 'c-ann-old']) {
        expect(await model.ideasOfCustomer(id)).toEqual([]);
        expect(await model.ideaIdsNaming([id])).toEqual([]);
      }
      expect((await model.ideasOfCustomer('c-bob')).map((v) => v.ideaId).sort()).toEqual([
        'i1',
        'i2',
      ]);
      expect([...(await model.erasedAmong(['c-ann', 'c-bob', 'c-ann-old'])).keys()]).toEqual([
        'c-ann',
        'c-ann-old',
      ]);

      // A merge after the erasure brings the person’s vote back from the log, by id: it is
      // anonymised again and counted once with the vote the survivor already had.
      const merge = {
        mergedIdeaId: 'i3',
        survivorIdeaId: 'i2',
        votes: [
          { customerId: 'c-cy', origin: staff, at: OLD },
          { customerId: 'c-ann', origin: staff, at: OLD },
        ],
        comments: [],
        staffId: 's1',
        at: OLD,
      };
      await project(ideaMerged({ ideaId: 'i3', ...merge }), ideaMerged({ ideaId: 'i2', ...merge }));
      const survivor = (await model.getMany(['i2'])).get('i2')!;
      expect(survivor.votes.map((v) => v.customerId).sort()).toEqual(
        ['c-bob', 'c-cy', anonymous[0].customerId].sort(),
      );
      expect(JSON.stringify(await model.getMany(['i2', 'i3']))).not.toContain('c-ann');
      expect(await model.ideaIdsNaming(['c-ann'])).toEqual([]);
    });

    it('the same log rebuilt after erasures — its texts read as erased — gives the live model, whatever the batches', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(ideaOpArb, { minLength: 8, maxLength: 40 }),
          fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
          fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
          async (ops, liveCuts, rebuildCuts) => {
            const { log, ideas, gone } = ideaLog(ops);
            const records = recorded(log, 1);
            const snapshot = async () => ({
              checkpoint: await model.checkpoint(),
              // as JSON: the same keys in the same order, byte for byte
              views: JSON.stringify([...(await model.getMany(IDEA_IDS))].sort()),
              entries: JSON.stringify(
                (await model.list()).sort((a, b) => (a.ideaId < b.ideaId ? -1 : 1)),
              ),
              ofCustomers: await Promise.all(
                ALL_IDS.map(async (id) => [
                  (await model.ideasOfCustomer(id)).map((v) => v.ideaId).sort(),
                  await model.ideaIdsNaming([id]),
                ]),
              ),
            });
            const run = async (events: RecordedEvent[], cuts: number[]) => {
              await model.clear();
              const target = ideaBacklogProjection(model);
              let at = 0;
              for (let c = 0; at < events.length; c += 1) {
                const next = Math.min(events.length, at + cuts[c % cuts.length]);
                await target.applyBatch(events.slice(at, next), { after: at, upTo: next });
                at = next;
              }
              return snapshot();
            };
            const live = await run(records, liveCuts);
            const rebuilt = await run(readAfterErasure(records, gone), rebuildCuts);
            expect(rebuilt).toEqual(live);

            // Nobody forgotten is left, and every idea counts one supporter per person.
            for (const id of gone) expect(live.views).not.toContain(`"${id}"`);
            for (const id of gone) expect(live.views).not.toContain(`${id} says`);
            const views = await model.getMany(IDEA_IDS);
            for (const [ideaId, idea] of ideas) {
              if (!idea) continue;
              const view = views.get(ideaId)!;
              const people = new Set(
                [...idea.votes.keys()].map((id) => (gone.has(id) ? PERSON_OF.get(id) : id)),
              );
              expect(view.votes).toHaveLength(people.size);
              expect(view.erased === true).toBe(gone.has(idea.submittedBy));
              expect(view.title === null).toBe(gone.has(idea.submittedBy));
            }
          },
        ),
        { numRuns: 40 },
      );
    });

    it('ranks a page from its maintained orders exactly as ranking every idea does', async () => {
      const customers = Array.from({ length: 12 }, (_, i) => `c${i}`);
      const ideaArb = fc.record({
        day: fc.nat(3), // few submission times: ties broken by id
        by: fc.nat(11),
        voters: fc.uniqueArray(fc.nat(11), { maxLength: 8 }),
        recent: fc.boolean(),
        status: fc.constantFrom(...IDEA_STATUSES),
        rice: fc.option(fc.record({ reach: fc.nat(50), impact: fc.constantFrom(0.5, 1, 2) })),
        mergeInto: fc.option(fc.nat(30)),
      });
      const queryArb = fc.record({
        statuses: fc.option(fc.subarray([...IDEA_STATUSES], { minLength: 1 }), { nil: undefined }),
        sort: fc.constantFrom(...BACKLOG_SORTS),
        priority: fc.constantFrom(...PRIORITY_MODES),
        trendDays: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
        limit: fc.integer({ min: 1, max: 8 }),
        offset: fc.option(fc.nat(10), { nil: undefined }),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(ideaArb, { minLength: 0, maxLength: 30 }),
          // Customers merged into another (counted once), and weights up to 2.
          fc.array(fc.tuple(fc.nat(11), fc.nat(11)), { maxLength: 4 }),
          fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 12, maxLength: 12 }),
          fc.array(queryArb, { minLength: 1, maxLength: 5 }),
          async (ideas, merges, weights, queries) => {
            await model.clear();
            position = 0;
            const events: LogEvent[] = [];
            ideas.forEach((idea, i) => {
              const ideaId = `idea-${String(i).padStart(2, '0')}`;
              const at = new Date(Date.parse(OLD) + idea.day * 86_400_000).toISOString();
              events.push(...submit(ideaId, `Idea ${i}`, customers[idea.by], at));
              for (const v of idea.voters)
                if (v !== idea.by)
                  events.push(vote(ideaId, customers[v], idea.recent ? RECENT : at));
              if (idea.status !== 'new') events.push(status(ideaId, 'new', idea.status));
              if (idea.rice)
                events.push(
                  ideaRiceScored({
                    ideaId,
                    ...idea.rice,
                    confidence: 1,
                    effort: 1,
                    staffId: 's1',
                    at,
                  }),
                );
            });
            ideas.forEach((idea, i) => {
              const into = idea.mergeInto;
              if (into === null || into >= ideas.length || into === i) return;
              const [mergedIdeaId, survivorIdeaId] = [i, into].map(
                (n) => `idea-${String(n).padStart(2, '0')}`,
              );
              const merge = {
                mergedIdeaId,
                survivorIdeaId,
                votes: [],
                comments: [],
                staffId: 's1',
                at: NOW,
              };
              events.push(ideaMerged({ ideaId: mergedIdeaId, ...merge }));
              events.push(ideaMerged({ ideaId: survivorIdeaId, ...merge }));
            });
            for (let i = 0; i < events.length; i += 7) await project(...events.slice(i, i + 7));
            const survivor = new Map(merges.map(([a, b]) => [customers[a], customers[b]]));
            const context: RankingContext = {
              now: NOW,
              redirects: (id) => survivor.get(id) ?? id,
              closeness: (id) => weights[customers.indexOf(id)] / 100,
            };
            for (const query of queries) {
              const q = Object.fromEntries(
                Object.entries(query).filter(([, v]) => v !== undefined),
              ) as unknown as BacklogQuery;
              const expected = rankBacklog(await model.list(q.statuses), q, context);
              const page = await rankedBacklogPage(model, q, {
                contextFor: async () => context,
                maxClosenessWeight: 2,
              });
              expect({ q, page }).toEqual({ q, page: expected });
            }
          },
        ),
        { numRuns: 40 },
      );
    });

    it('forgets everything on clear', async () => {
      await project(...submit('i1', 'A', 'ann'));
      await model.clear();
      expect(await model.checkpoint()).toBe(0);
      expect(await model.list()).toEqual([]);
      expect(await model.ideasOfCustomer('ann')).toEqual([]);
    });
  });
}
