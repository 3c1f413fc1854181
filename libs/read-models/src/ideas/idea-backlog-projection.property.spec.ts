import fc from 'fast-check';
import {
  decideIdea,
  decideIdeaMerge,
  evolveIdea,
  type IdeaCommand,
  type IdeaEvent,
  type IdeaState,
  viewOfIdea,
} from '@rapport/domain';
import { type RecordedEvent } from '@rapport/event-store';
import { ideaBacklogProjection } from './idea-backlog-projection';
import { MemoryIdeaBacklogReadModel } from '../backends/memory/memory-idea-backlog-read-model';

const IDEAS = ['a', 'b', 'c'];
const AT = '2026-03-01T00:00:00.000Z';
const origin = { kind: 'staff' as const, staffId: 's' };

type Op =
  | { kind: 'vote' | 'withdraw'; idea: number; customer: number }
  | { kind: 'comment'; idea: number; customer: number }
  | { kind: 'status'; idea: number; to: number }
  | { kind: 'merge'; idea: number; into: number };

const idx = fc.integer({ min: 0, max: IDEAS.length - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('vote' as const, 'withdraw' as const),
    idea: idx,
    customer: fc.integer({ min: 0, max: 5 }),
  }),
  fc.record({
    kind: fc.constant('comment' as const),
    idea: idx,
    customer: fc.integer({ min: 0, max: 5 }),
  }),
  fc.record({
    kind: fc.constant('status' as const),
    idea: idx,
    to: fc.integer({ min: 0, max: 5 }),
  }),
  fc.record({ kind: fc.constant('merge' as const), idea: idx, into: idx }),
);
const STATUSES = ['new', 'under_review', 'planned', 'in_progress', 'shipped', 'declined'] as const;

describe('idea backlog projection (property)', () => {
  it('whatever the batch boundaries, each document equals the fold of its idea’s events', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }),
        async (ops, cuts) => {
          const states = new Map<string, IdeaState>(IDEAS.map((id) => [id, null]));
          const log: IdeaEvent[] = [];
          const apply = (id: string, events: readonly IdeaEvent[]) => {
            states.set(id, events.reduce(evolveIdea, states.get(id)!));
            log.push(...events);
          };
          for (const id of IDEAS) {
            const d = decideIdea(null, {
              kind: 'submit',
              ideaId: id,
              title: `Idea ${id}`,
              customerId: 'c0',
              origin,
              at: AT,
            });
            if (d.ok) apply(id, d.value);
          }
          ops.forEach((o, n) => {
            const id = IDEAS[o.idea];
            if (o.kind === 'merge') {
              const d = decideIdeaMerge(states.get(id)!, states.get(IDEAS[o.into])!, {
                staffId: 's',
                at: AT,
              });
              if (d.ok) {
                apply(id, [d.value.duplicate]);
                apply(IDEAS[o.into], [d.value.survivor]);
              }
              return;
            }
            const command: IdeaCommand =
              o.kind === 'status'
                ? { kind: 'change-status', to: STATUSES[o.to], reason: 'r', staffId: 's', at: AT }
                : o.kind === 'comment'
                  ? {
                      kind: 'comment',
                      commentId: `k${n}`,
                      author: { kind: 'customer', customerId: `c${o.customer}` },
                      text: 'hi',
                      at: AT,
                    }
                  : {
                      kind: o.kind === 'vote' ? 'vote' : 'withdraw-vote',
                      customerId: `c${o.customer}`,
                      origin,
                      at: AT,
                    };
            const d = decideIdea(states.get(id)!, command);
            if (d.ok) apply(id, d.value);
          });

          const recorded: RecordedEvent[] = log.map((e, i) => ({
            id: `e${i}`,
            streamId: `idea-${e.data.ideaId}`,
            revision: 0,
            position: i + 1,
            type: e.type,
            data: e.data,
            metadata: {},
            recordedAt: AT,
          }));
          const model = new MemoryIdeaBacklogReadModel();
          const target = ideaBacklogProjection(model);
          let at = 0;
          for (let c = 0; at < recorded.length; c += 1) {
            const next = Math.min(recorded.length, at + cuts[c % cuts.length]);
            await target.applyBatch(recorded.slice(at, next), { after: at, upTo: next });
            at = next;
          }
          const docs = await model.getMany(IDEAS);
          for (const id of IDEAS) {
            const idea = states.get(id)!;
            const lastIndex = log.map((e) => e.data.ideaId).lastIndexOf(id);
            const expected = viewOfIdea(
              idea!,
              (log[lastIndex].data as { at: string }).at,
              lastIndex + 1,
            );
            expect(docs.get(id)).toEqual(expected);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
