import fc from 'fast-check';
import {
  applyClosenessFact,
  applyClosenessFactInPlace,
  CHANNELS,
  type ClosenessFact,
  type ClosenessState,
  CONVERSATIONS_UNCHANGED,
  DEFAULT_CLOSENESS_CONFIG,
  emptyClosenessState,
  ownedClosenessState,
  REMEMBERED_CONVERSATIONS,
} from '../index';

const config = DEFAULT_CLOSENESS_CONFIG;
const T0 = Date.UTC(2026, 0, 1);

const fact = (i: number): fc.Arbitrary<ClosenessFact> => {
  const base = {
    eventId: `e-${i}`,
    position: i + 1,
    customerId: 'c-1',
    bucket: 'customer:c-1',
  };
  const at = fc.integer({ min: -400, max: 400 }).map((h) => T0 + h * 3_600_000);
  return fc.oneof(
    fc
      .record({
        occurredAtMs: at,
        channel: fc.constantFrom(...CHANNELS),
        direction: fc.constantFrom('inbound' as const, 'outbound' as const),
        conversation: fc.option(fc.nat(REMEMBERED_CONVERSATIONS + 40), { nil: undefined }),
        sentiment: fc.option(fc.double({ min: -1, max: 1, noNaN: true }), { nil: undefined }),
      })
      .map(({ conversation, sentiment, ...rest }): ClosenessFact => ({
        ...base,
        kind: 'touchpoint',
        ...rest,
        ...(conversation === undefined ? {} : { conversationId: `conv-${conversation}` }),
        ...(sentiment === undefined ? {} : { sentiment }),
      })),
    fc
      .record({
        occurredAtMs: at,
        channel: fc.constantFrom(...CHANNELS),
        kind: fc.constantFrom('nps' as const, 'csat' as const),
        score: fc.integer({ min: 0, max: 10 }),
      })
      .map(({ occurredAtMs, channel, kind, score }): ClosenessFact => ({
        ...base,
        occurredAtMs,
        kind: 'survey',
        channel,
        survey: { kind, score },
      })),
    fc
      .record({
        occurredAtMs: at,
        coCreation: fc.constantFrom('submitted' as const, 'voted' as const, 'commented' as const),
      })
      .map(({ occurredAtMs, coCreation }): ClosenessFact => ({
        ...base,
        occurredAtMs,
        kind: 'co-creation',
        coCreation,
      })),
  );
};

const facts = fc
  .integer({ min: 0, max: 3 * REMEMBERED_CONVERSATIONS })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => fact(i))));

describe('a closeness state folded in place', () => {
  it('is the state the pure fold gives, fact after fact, and says how its conversations moved', () => {
    fc.assert(
      fc.property(facts, (list) => {
        let pure: ClosenessState = emptyClosenessState('c-1', config);
        const owned = ownedClosenessState(pure);
        // A list kept in step with the conversations from what each application returned.
        const mirror: string[] = [];
        for (const f of list) {
          pure = applyClosenessFact(pure, f, config).state;
          const changed = applyClosenessFactInPlace(owned, f, config);
          if (changed !== CONVERSATIONS_UNCHANGED) {
            if (changed >= 0) mirror.splice(changed, 1);
            mirror.push(owned.conversations[owned.conversations.length - 1][0]);
            if (mirror.length > owned.conversations.length) mirror.shift();
          }
          // Every field, in the same order (JSON writes each double exactly).
          if (JSON.stringify(owned) !== JSON.stringify(pure))
            expect(JSON.stringify(owned)).toBe(JSON.stringify(pure));
        }
        expect(owned).toEqual(pure);
        expect(mirror).toEqual(owned.conversations.map(([id]) => id));
      }),
      { numRuns: 40 },
    );
  });

  it('copies what it changes: the state it was made from stays as it was', () => {
    const before = applyClosenessFact(
      emptyClosenessState('c-1', config),
      {
        kind: 'touchpoint',
        eventId: 'e-1',
        position: 1,
        customerId: 'c-1',
        bucket: 'customer:c-1',
        occurredAtMs: T0,
        channel: 'email',
        direction: 'inbound',
        conversationId: 'conv-1',
      },
      config,
    ).state;
    const copy = JSON.stringify(before);
    const owned = ownedClosenessState(before);
    applyClosenessFactInPlace(
      owned,
      {
        kind: 'touchpoint',
        eventId: 'e-2',
        position: 2,
        customerId: 'c-1',
        bucket: 'customer:c-1',
        occurredAtMs: T0 + 1000,
        channel: 'chat',
        direction: 'outbound',
        conversationId: 'conv-1',
      },
      config,
    );
    expect(JSON.stringify(before)).toBe(copy);
    expect(owned.facts).toBe(2);
    expect(owned.conversations).toEqual([['conv-1', 3]]);
  });

  it('reads the conversations of a state stored before the bound (an object by id)', () => {
    const stored = {
      ...emptyClosenessState('c-1', config),
      conversations: { 'conv-1': 1 },
    } as unknown as ClosenessState;
    expect(ownedClosenessState(stored).conversations).toEqual([['conv-1', 1]]);
  });
});
