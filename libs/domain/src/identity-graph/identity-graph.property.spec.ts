import fc from 'fast-check';
import { type ChannelIdentity, identityKey } from '../identity/channel-identity';
import { decideLink } from './decide-link';
import { decideMerge } from './decide-merge';
import { decideUnlink } from './decide-unlink';
import { decideUnmerge } from './decide-unmerge';
import {
  EMPTY_IDENTITY_GRAPH,
  type IdentityGraph,
  evolve,
  replayIdentityGraph,
} from './identity-graph';
import { type IdentityGraphEvent, IdentityGraphEventTypes } from './identity-graph-events';
import {
  AT,
  CHAT_ADAPTER,
  STAFF,
  card,
  chat,
  email,
  phone,
  social,
} from './identity-graph.fixtures';
import {
  customerOfIdentity,
  homeCustomerOfIdentity,
  identityKeysOf,
  mergeHistoryOf,
  mergedCustomersOf,
  ownIdentityKeysOf,
  resolveCustomer,
  survivingCustomers,
} from './identity-graph-queries';
import { ReferenceIdentityGraph } from './identity-graph.reference-model';
import { identityGraphSnapshot } from './identity-graph-snapshot';
import { pseudonymise } from '../privacy/pseudonymous-identity';
import {
  DEFAULT_IDENTITY_POLICY,
  graphIdentityOf,
  type IdentityPolicy,
  isAutoMergeKind,
} from './identity-policy';
import { type IdentityDecision } from './identity-refusal';
import { resolveTouchpointIdentities } from './resolve-touchpoint-identities';

/**
 * Random histories of touchpoints, links, unlinks, merges and unmerges, driven through
 * decide + evolve, checked after every step against the naive reference model and
 * against invariants the issue states outright.
 */

// A small pool, so that identities collide, customers meet and kind limits are reached.
const PLAIN_POOL: readonly ChannelIdentity[] = [
  email('ann@example.com'),
  email('ann@work.example'),
  email('bob@example.com'),
  email('info@shop.example'), // blocked by pattern
  phone('+4930111111'),
  phone('+4930222222'),
  phone('+4930999999'), // the shop's own number: blocked
  chat('V-1'),
  chat('V-2'),
  card('AB1234'),
  social('instagram', 'ann'),
].map(({ verified: _verified, ...identity }) => identity);

const POLICY: IdentityPolicy = {
  ...DEFAULT_IDENTITY_POLICY,
  maxPerKind: { email: 2, phone: 2, chat: 1 },
  blocked: ['email:info@*', 'phone:+4930999999'],
};

/**
 * The same pool as the log holds it with pseudonymous keys: values replaced by a keyed hash
 * (a pure stand-in here: the domain holds no crypto), blocked ones flagged as ingestion does.
 */
const pseudonymOf = (key: string) => {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const ch of key) {
    h1 = Math.imul(h1 ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    h2 = Math.imul(h2 + ch.charCodeAt(0), 0x5bd1e995) >>> 0;
  }
  return `~${(h1.toString(36) + h2.toString(36)).padEnd(22, '0').slice(0, 22)}`;
};
const PSEUDONYMOUS_POOL: readonly ChannelIdentity[] = PLAIN_POOL.map((identity) =>
  graphIdentityOf(POLICY, pseudonymise(identity, pseudonymOf)),
);

/** The pool the properties run on: each `describe` below sets it. */
let POOL: readonly ChannelIdentity[] = PLAIN_POOL;

const isBlockedKey = (key: string) =>
  key === 'phone:+4930999999' ||
  key.startsWith('email:info@') ||
  POOL.some((identity) => identity.blocked === true && identityKey(identity) === key);

type Command =
  | { readonly kind: 'touch'; readonly picks: readonly { index: number; verified: boolean }[] }
  | {
      readonly kind: 'link';
      readonly a: number;
      readonly b: number;
      readonly staff: boolean;
      readonly verified: boolean;
    }
  | { readonly kind: 'unlink'; readonly a: number }
  | {
      readonly kind: 'merge';
      /** Pick among surviving customers (mostly accepted, and merges nest) or among all. */
      readonly amongSurvivors: boolean;
      readonly survivor: number;
      readonly merged: number;
    }
  | {
      readonly kind: 'unmerge';
      readonly existing: boolean;
      readonly survivor: number;
      readonly merged: number;
    };

const indexArb = fc.nat({ max: 1_000 });
const touchArb = fc.record({
  kind: fc.constant('touch' as const),
  picks: fc.array(fc.record({ index: fc.nat({ max: POOL.length - 1 }), verified: fc.boolean() }), {
    minLength: 1,
    maxLength: 3,
  }),
});
const linkArb = fc.record({
  kind: fc.constant('link' as const),
  a: fc.nat({ max: POOL.length - 1 }),
  b: fc.nat({ max: POOL.length - 1 }),
  staff: fc.boolean(),
  verified: fc.boolean(),
});
const unlinkArb = fc.record({
  kind: fc.constant('unlink' as const),
  a: fc.nat({ max: POOL.length - 1 }),
});
const mergeArb = fc.record({
  kind: fc.constant('merge' as const),
  amongSurvivors: fc.boolean(),
  survivor: indexArb,
  merged: indexArb,
});
const unmergeArb = fc.record({
  kind: fc.constant('unmerge' as const),
  existing: fc.boolean(),
  survivor: indexArb,
  merged: indexArb,
});

const commandArb = (withStaffMerges: boolean): fc.Arbitrary<Command> =>
  fc.oneof(
    { weight: 6, arbitrary: touchArb },
    { weight: 2, arbitrary: linkArb },
    { weight: 1, arbitrary: unlinkArb },
    ...(withStaffMerges
      ? [
          { weight: 2, arbitrary: mergeArb },
          { weight: 2, arbitrary: unmergeArb },
        ]
      : []),
  );

/** Histories long enough for merges to nest and unmerged pairs to meet again. */
const historyArb = (withStaffMerges: boolean, maxLength: number) =>
  fc.array(commandArb(withStaffMerges), { minLength: 1, maxLength, size: 'max' });

const pick = <T>(items: readonly T[], index: number): T | undefined =>
  items.length === 0 ? undefined : items[index % items.length];

/** One history, run on the real graph and on the reference model side by side. */
class Run {
  graph: IdentityGraph = EMPTY_IDENTITY_GRAPH;
  readonly events: IdentityGraphEvent[] = [];
  readonly reference = new ReferenceIdentityGraph(POLICY);

  step(command: Command): void {
    const at = AT;
    const by = { kind: 'adapter', source: CHAT_ADAPTER } as const;
    switch (command.kind) {
      case 'touch': {
        const identities = command.picks.map(({ index, verified }) => ({
          ...POOL[index],
          verified,
        }));
        const decision = resolveTouchpointIdentities(
          this.graph,
          { identities, source: CHAT_ADAPTER, at },
          POLICY,
        );
        const expected = this.reference.touch(identities);
        expect(decision.ok).toBe(expected.ok);
        if (!decision.ok) return;
        expect(decision.value.customerId).toBe(expected.ok && expected.customerId);
        this.apply(decision.value.events);
        this.checkLanding(identities, decision.value.customerId);
        return;
      }
      case 'link': {
        const a = { ...POOL[command.a], verified: command.verified };
        const b = { ...POOL[command.b], verified: command.verified };
        const decision = decideLink(
          this.graph,
          { identity: a, withIdentity: b, by: command.staff ? STAFF : by, at },
          POLICY,
        );
        return this.compare(decision, this.reference.link(a, b, command.staff));
      }
      case 'unlink': {
        const decision = decideUnlink(
          this.graph,
          { identity: POOL[command.a], by: STAFF, at },
          POLICY,
        );
        return this.compare(decision, this.reference.unlink(POOL[command.a]));
      }
      case 'merge': {
        const customers = this.reference
          .customers()
          .filter((c) => !command.amongSurvivors || this.reference.rootOf(c) === c);
        const survivorId = pick(customers, command.survivor) ?? 'nobody';
        const mergedId = pick(customers, command.merged) ?? 'nobody';
        const decision = decideMerge(this.graph, { survivorId, mergedId, by: STAFF, at }, POLICY);
        return this.compare(decision, this.reference.merge(survivorId, mergedId));
      }
      case 'unmerge': {
        const customers = this.reference.customers();
        const merged = customers.filter((c) => this.reference.rootOf(c) !== c);
        let survivorId = pick(customers, command.survivor) ?? 'nobody';
        let mergedId = pick(customers, command.merged) ?? 'nobody';
        const existing = pick(merged, command.merged);
        if (command.existing && existing !== undefined) {
          mergedId = existing;
          // Its direct survivor, as the graph's own history says.
          survivorId = this.graph.customers.get(existing)?.mergedInto ?? survivorId;
        }
        const decision = decideUnmerge(this.graph, { survivorId, mergedId, by: STAFF, at }, POLICY);
        return this.compare(decision, this.reference.unmerge(survivorId, mergedId));
      }
    }
  }

  private compare(
    decision: IdentityDecision<IdentityGraphEvent[]>,
    expected: ReturnType<ReferenceIdentityGraph['merge']>,
  ) {
    if (expected.ok) {
      if (!decision.ok)
        throw new Error(`refused, reference accepted: ${JSON.stringify(decision.errors)}`);
      this.apply(decision.value);
    } else {
      expect(decision.ok ? 'accepted' : decision.errors[0].code).toBe(expected.code);
    }
  }

  private apply(events: readonly IdentityGraphEvent[]): void {
    for (const event of events) {
      this.events.push(event);
      this.graph = evolve(this.graph, event);
      if (
        event.type === IdentityGraphEventTypes.customerMerged &&
        event.data.reason === 'verified-identities'
      ) {
        // Policy: an automatic merge only ever rests on verified identities of auto-merge kinds.
        expect(
          event.data.evidence.every((i) => i.verified === true && isAutoMergeKind(POLICY, i.kind)),
        ).toBe(true);
      }
    }
  }

  /** The touchpoint lands on a surviving customer that holds its primary identity. */
  private checkLanding(identities: ChannelIdentity[], customerId: string): void {
    expect(resolveCustomer(this.graph, customerId)).toBe(customerId);
    const usable = identities.map(identityKey).filter((key) => !isBlockedKey(key));
    const landedKeys = identityKeysOf(this.graph, customerId);
    expect(usable.length === 0 || usable.some((key) => landedKeys.includes(key))).toBe(true);
  }

  /** Every answer of the graph equals the reference model's; the invariants hold. */
  checkAnswers(): void {
    const g = this.graph;
    const r = this.reference;
    const customers = r.customers();
    const keys = POOL.map(identityKey);
    const actual = {
      customers: [...g.customers.keys()].sort(),
      identities: keys.map((key) => [
        key,
        customerOfIdentity(g, key),
        homeCustomerOfIdentity(g, key),
      ]),
      answers: customers.map((id) => ({
        id,
        resolved: resolveCustomer(g, id),
        identities: identityKeysOf(g, id),
        own: ownIdentityKeysOf(g, id),
        merged: mergedCustomersOf(g, id),
        history: mergeHistoryOf(g, id).map((m) => [m.action, m.survivorId, m.mergedId]),
      })),
      suggested: [...g.suggestedPairs.keys()].sort(),
      keptApart: [...g.keptApart.keys()].sort(),
    };
    const expected = {
      customers,
      identities: keys.map((key) => [key, r.customerOf(key), r.homeOf(key)]),
      answers: customers.map((id) => ({
        id,
        resolved: r.rootOf(id),
        identities: r.identityKeysOf(id),
        own: r.ownKeysOf(id),
        merged: r.mergedCustomersOf(id),
        history: r.historyOf(id),
      })),
      suggested: r.suggestedPairs(),
      keptApart: r.keptApartPairs(),
    };
    // Compared as JSON first (thousands of steps); `toEqual` only to show a difference.
    if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected);

    // One customer per identity: the surviving customers' identities partition the known ones.
    const partition = survivingCustomers(g).flatMap((id) => identityKeysOf(g, id));
    if (JSON.stringify(partition.sort()) !== JSON.stringify([...g.identities.keys()].sort())) {
      expect(partition).toEqual([...g.identities.keys()].sort());
    }
    // Blocked identities never end up linked to anything.
    for (const key of partition.filter(isBlockedKey)) {
      const customerId = customerOfIdentity(g, key) as string;
      if (
        identityKeysOf(g, customerId).length !== 1 ||
        mergedCustomersOf(g, customerId).length > 0
      ) {
        expect({
          key,
          with: identityKeysOf(g, customerId),
          merged: mergedCustomersOf(g, customerId),
        }).toEqual({ key, with: [key], merged: [] });
      }
    }
  }

  /** Answers that a merge followed by its unmerge must leave exactly as they were. */
  answers(): unknown {
    const g = this.graph;
    return {
      customerOf: POOL.map((i) => customerOfIdentity(g, identityKey(i)) ?? null),
      customers: [...g.customers.keys()]
        .sort()
        .map((id) => [id, resolveCustomer(g, id), identityKeysOf(g, id), mergedCustomersOf(g, id)]),
    };
  }
}

/**
 * Runs a history. `compare` checks every step against the reference model (the first
 * property does; the others only need a history to start from).
 */
function runAll(
  commands: readonly Command[],
  {
    compare = false,
    afterStep = () => {},
  }: { compare?: boolean; afterStep?: (run: Run) => void } = {},
): Run {
  const run = new Run();
  for (const command of commands) {
    run.step(command);
    if (compare) run.checkAnswers();
    afterStep(run);
  }
  return run;
}

describe.each([
  ['plain identities', PLAIN_POOL],
  ['blind-indexed identities', PSEUDONYMOUS_POOL],
])('identity graph properties (%s)', (_name, pool) => {
  beforeAll(() => {
    POOL = pool;
  });

  it('answers like the naive reference model after every step of any history', () => {
    fc.assert(
      fc.property(historyArb(true, 40), (commands) => {
        runAll(commands, { compare: true });
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same commands decide the same events, and replaying them rebuilds the same graph', () => {
    fc.assert(
      fc.property(historyArb(true, 40), (commands) => {
        const first = runAll(commands);
        const second = runAll(commands);
        expect(second.events).toEqual(first.events);
        const replayed = replayIdentityGraph(first.events);
        expect(identityGraphSnapshot(replayed)).toEqual(identityGraphSnapshot(first.graph));
        // …also through JSON, as the events come back from a log.
        const fromLog = replayIdentityGraph(
          JSON.parse(JSON.stringify(first.events)) as IdentityGraphEvent[],
        );
        expect(identityGraphSnapshot(fromLog)).toEqual(identityGraphSnapshot(first.graph));
      }),
      { numRuns: 100 },
    );
  });

  it('restores the exact previous answers when a staff merge is unmerged right away', () => {
    fc.assert(
      fc.property(historyArb(true, 30), indexArb, indexArb, (commands, s, m) => {
        const run = runAll(commands);
        const customers = survivingCustomers(run.graph);
        const survivorId = pick(customers, s);
        const mergedId = pick(customers, m);
        fc.pre(survivorId !== undefined && mergedId !== undefined && survivorId !== mergedId);
        const merge = decideMerge(
          run.graph,
          { survivorId: survivorId as string, mergedId: mergedId as string, by: STAFF, at: AT },
          POLICY,
        );
        fc.pre(merge.ok);
        const before = run.answers();
        const merged = merge.ok ? merge.value.reduce(evolve, run.graph) : run.graph;
        const unmerge = decideUnmerge(
          merged,
          { survivorId: survivorId as string, mergedId: mergedId as string, by: STAFF, at: AT },
          POLICY,
        );
        if (!unmerge.ok) throw new Error(JSON.stringify(unmerge.errors));
        run.graph = unmerge.value.reduce(evolve, merged);
        expect(run.answers()).toEqual(before);
      }),
      { numRuns: 150 },
    );
  });

  it('restores the exact previous answers when the automatic merges of a touchpoint are unmerged', () => {
    const mergeable = POOL.filter(
      (i) => (i.kind === 'email' || i.kind === 'phone') && !isBlockedKey(identityKey(i)),
    );
    fc.assert(
      fc.property(
        historyArb(true, 30),
        fc.uniqueArray(fc.nat({ max: mergeable.length - 1 }), { minLength: 2, maxLength: 3 }),
        (commands, picks) => {
          const run = runAll(commands);
          // Each identity seen alone first: the touchpoint under test then attaches nothing new.
          for (const i of picks) {
            run.step({
              kind: 'touch',
              picks: [{ index: POOL.indexOf(mergeable[i]), verified: false }],
            });
          }
          const identities = picks.map((i) => ({ ...mergeable[i], verified: true }));
          const before = run.answers();
          const decision = resolveTouchpointIdentities(
            run.graph,
            { identities, source: CHAT_ADAPTER, at: AT },
            POLICY,
          );
          if (!decision.ok) throw new Error('refused');
          const merges = decision.value.events.filter(
            (e) => e.type === IdentityGraphEventTypes.customerMerged,
          );
          fc.pre(merges.length > 0);
          let graph = decision.value.events.reduce(evolve, run.graph);
          for (const event of [...merges].reverse()) {
            const { survivorId, mergedId } = event.data as { survivorId: string; mergedId: string };
            const unmerge = decideUnmerge(
              graph,
              { survivorId, mergedId, by: STAFF, at: AT },
              POLICY,
            );
            if (!unmerge.ok) throw new Error(JSON.stringify(unmerge.errors));
            graph = unmerge.value.reduce(evolve, graph);
          }
          run.graph = graph;
          expect(run.answers()).toEqual(before);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('never lets automatic decisions and links exceed the kind limits (staff merges aside)', () => {
    fc.assert(
      fc.property(historyArb(false, 40), (commands) => {
        runAll(commands, {
          afterStep: (run) => {
            for (const id of survivingCustomers(run.graph)) {
              const kinds = identityKeysOf(run.graph, id).map((key) => key.split(':')[0]);
              for (const [kind, max] of Object.entries(POLICY.maxPerKind)) {
                const count = kinds.filter((k) => k === kind).length;
                if (count > (max as number)) expect({ id, kind, count }).toEqual({ id, kind, max });
              }
            }
          },
        });
      }),
      { numRuns: 150 },
    );
  });
});
