import fc from 'fast-check';
import { customerRedirectsFrom } from './customer-redirects';
import { decideIdea, decideIdeaMerge } from './decide-idea';
import { evolveIdea, foldIdea, type IdeaState, supportersOf, voteCountOf } from './idea';
import { type IdeaEvent } from './idea-events';
import { AT, BY_STAFF, STAFF_ID } from './idea.fixtures';

const CUSTOMERS = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];
const IDEAS = ['i0', 'i1', 'i2', 'i3'];

type Op =
  | { op: 'vote'; customer: number; idea: number }
  | { op: 'withdraw'; customer: number; idea: number }
  | { op: 'merge-ideas'; duplicate: number; survivor: number }
  | { op: 'merge-customers'; merged: number; survivor: number };

const customer = fc.integer({ min: 0, max: CUSTOMERS.length - 1 });
const idea = fc.integer({ min: 0, max: IDEAS.length - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('vote' as const), customer, idea }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('withdraw' as const), customer, idea }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('merge-ideas' as const),
      duplicate: idea,
      survivor: idea,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('merge-customers' as const),
      merged: customer,
      survivor: customer,
    }),
  },
);

/** The reference: per live idea, the set of surviving customers that support it. */
class ReferenceBacklog {
  readonly supporters = new Map<string, Set<string>>();
  readonly ideaRedirect = new Map<string, string>();
  readonly customerRedirect = new Map<string, string>();

  constructor(submitters: readonly string[]) {
    IDEAS.forEach((id, i) => this.supporters.set(id, new Set([submitters[i]])));
  }
  person(c: string): string {
    let id = c;
    while (this.customerRedirect.has(id)) id = this.customerRedirect.get(id)!;
    return id;
  }
  live(i: string): string {
    let id = i;
    while (this.ideaRedirect.has(id)) id = this.ideaRedirect.get(id)!;
    return id;
  }
  vote(c: string, i: string): boolean {
    const set = this.supporters.get(this.live(i))!;
    if (set.has(this.person(c))) return false;
    set.add(this.person(c));
    return true;
  }
  withdraw(c: string, i: string): boolean {
    return this.supporters.get(this.live(i))!.delete(this.person(c));
  }
  mergeIdeas(dup: string, survivor: string): boolean {
    const [d, s] = [this.live(dup), this.live(survivor)];
    if (d === s) return false;
    for (const p of this.supporters.get(d)!) this.supporters.get(s)!.add(p);
    this.supporters.delete(d);
    this.ideaRedirect.set(d, s);
    return true;
  }
  mergeCustomers(merged: string, survivor: string): void {
    const [m, s] = [this.person(merged), this.person(survivor)];
    if (m === s) return;
    this.customerRedirect.set(m, s);
    for (const set of this.supporters.values()) if (set.delete(m)) set.add(s);
  }
}

describe('idea votes (property)', () => {
  it('count = distinct surviving supporters = the reference model, after any votes, withdrawals and merges', () => {
    fc.assert(
      fc.property(
        fc.array(customer, { minLength: IDEAS.length, maxLength: IDEAS.length }),
        fc.array(opArb, { maxLength: 60 }),
        (submitterIdx, ops) => {
          const submitters = submitterIdx.map((i) => CUSTOMERS[i]);
          const model = new ReferenceBacklog(submitters);
          const mergedInto = new Map<string, string>();
          const redirects = customerRedirectsFrom(mergedInto);
          const states = new Map<string, IdeaState>();
          IDEAS.forEach((id, i) => {
            const decision = decideIdea(null, {
              kind: 'submit',
              ideaId: id,
              title: id,
              customerId: submitters[i],
              origin: BY_STAFF,
              at: AT,
            });
            if (!decision.ok) throw new Error('submit refused');
            states.set(id, foldIdea(decision.value));
          });
          const apply = (id: string, events: readonly IdeaEvent[]) =>
            states.set(id, events.reduce(evolveIdea, states.get(id)!));
          /** The application follows a merged idea's redirect, as the idea service does. */
          const live = (id: string): string => {
            const s = states.get(id)!;
            return s?.mergedInto ? live(s.mergedInto) : id;
          };

          for (const o of ops) {
            if (o.op === 'vote' || o.op === 'withdraw') {
              const [c, i] = [CUSTOMERS[o.customer], live(IDEAS[o.idea])];
              const decision = decideIdea(
                states.get(i)!,
                {
                  kind: o.op === 'vote' ? 'vote' : 'withdraw-vote',
                  customerId: c,
                  origin: BY_STAFF,
                  at: AT,
                },
                redirects,
              );
              const expected =
                o.op === 'vote' ? model.vote(c, IDEAS[o.idea]) : model.withdraw(c, IDEAS[o.idea]);
              expect(decision.ok).toBe(expected);
              if (decision.ok) apply(i, decision.value);
            } else if (o.op === 'merge-ideas') {
              const [d, s] = [live(IDEAS[o.duplicate]), live(IDEAS[o.survivor])];
              const decision = decideIdeaMerge(states.get(d)!, states.get(s)!, {
                staffId: STAFF_ID,
                at: AT,
              });
              expect(decision.ok).toBe(model.mergeIdeas(IDEAS[o.duplicate], IDEAS[o.survivor]));
              if (decision.ok) {
                apply(d, [decision.value.duplicate]);
                apply(s, [decision.value.survivor]);
              }
            } else {
              const [m, s] = [redirects(CUSTOMERS[o.merged]), redirects(CUSTOMERS[o.survivor])];
              if (m !== s) mergedInto.set(m, s);
              model.mergeCustomers(CUSTOMERS[o.merged], CUSTOMERS[o.survivor]);
            }
            for (const id of IDEAS) {
              if (live(id) !== id) continue;
              const state = states.get(id)!;
              const expected = [...model.supporters.get(id)!].sort();
              expect(supportersOf(state!, redirects)).toEqual(expected);
              expect(voteCountOf(state!, redirects)).toBe(expected.length);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
