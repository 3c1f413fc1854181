import { type AdapterUnderTest, openModelPerTest } from './adapter-under-test';
import {
  type IdeaEvent,
  type IdeaStatus,
  ideaCommented,
  ideaMerged,
  ideaRiceScored,
  ideaStatusChanged,
  ideaSubmitted,
  ideaVoteWithdrawn,
  ideaVoted,
} from '@rapport/domain';
import { type RecordedEvent } from '@rapport/event-store';
import { listBacklog, ideaBacklogProjection } from '../ideas/idea-backlog-projection';
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

/** Log records for events, positions from `first`. */
function recorded(events: readonly IdeaEvent[], first: number): RecordedEvent[] {
  return events.map((event, i) => ({
    id: `00000000-0000-4000-8000-${String(first + i).padStart(12, '0')}`,
    streamId: `idea-${event.data.ideaId}`,
    revision: i,
    position: first + i,
    type: event.type,
    data: event.data,
    metadata: {},
    recordedAt: NOW,
  }));
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
    async function project(...events: IdeaEvent[]): Promise<void> {
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

    it('forgets everything on clear', async () => {
      await project(...submit('i1', 'A', 'ann'));
      await model.clear();
      expect(await model.checkpoint()).toBe(0);
      expect(await model.list()).toEqual([]);
      expect(await model.ideasOfCustomer('ann')).toEqual([]);
    });
  });
}
