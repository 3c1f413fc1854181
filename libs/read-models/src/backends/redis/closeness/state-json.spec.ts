import fc from 'fast-check';
import {
  applyClosenessFact,
  type ClosenessFact,
  type ClosenessState,
  DEFAULT_CLOSENESS_CONFIG,
  emptyClosenessState,
  ownedClosenessState,
  REMEMBERED_CONVERSATIONS,
} from '@rapport/domain';
import { applyToWritten, stateJson, writtenState } from './state-json';

const config = DEFAULT_CLOSENESS_CONFIG;
const T0 = Date.UTC(2026, 0, 1);

function touchpoint(
  i: number,
  conversation: number | null,
  inbound: boolean,
  channel: 'email' | 'chat' | 'phone',
  sentiment: number | null,
): ClosenessFact {
  return {
    eventId: `e-${i}`,
    position: i + 1,
    customerId: 'c-"1"\\',
    bucket: 'email:c1@example.com',
    occurredAtMs: T0 + i * 3_600_000,
    kind: 'touchpoint',
    channel,
    direction: inbound ? 'inbound' : 'outbound',
    ...(conversation === null ? {} : { conversationId: `conv-${conversation}\u00e9"` }),
    ...(sentiment === null ? {} : { sentiment }),
  };
}

describe('a written state and its JSON', () => {
  it('is JSON.stringify of the state the pure fold gives, batch after batch', () => {
    const fact = fc.record({
      conversation: fc.option(fc.nat(2 * REMEMBERED_CONVERSATIONS), { nil: null }),
      inbound: fc.boolean(),
      channel: fc.constantFrom('email' as const, 'chat' as const, 'phone' as const),
      sentiment: fc.option(fc.double({ min: -1, max: 1, noNaN: true }), { nil: null }),
    });
    fc.assert(
      fc.property(
        fc.array(fact, { maxLength: 3 * REMEMBERED_CONVERSATIONS }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (facts, cuts) => {
          let pure: ClosenessState = emptyClosenessState('c-"1"\\', config);
          const written = writtenState(ownedClosenessState(pure));
          const ends = new Set(cuts.map((c) => c % (facts.length + 1)));
          ends.add(facts.length);
          facts.forEach((f, i) => {
            const next = touchpoint(i, f.conversation, f.inbound, f.channel, f.sentiment);
            pure = applyClosenessFact(pure, next, config).state;
            applyToWritten(written, next, config);
            if (!ends.has(i + 1)) return;
            // A batch's end: the writer writes the state.
            expect(written.conversations).toEqual(pure.conversations.map((c) => JSON.stringify(c)));
            expect(stateJson(written.state, written.conversations)).toBe(JSON.stringify(pure));
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('drops the JSON of the conversations the bound forgets', () => {
    let pure = emptyClosenessState('c-1', config);
    const written = writtenState(ownedClosenessState(pure));
    for (let i = 0; i < 400; i++) {
      const next = touchpoint(i, i % 300, true, 'email', null);
      pure = applyClosenessFact(pure, next, config).state;
      applyToWritten(written, next, config);
    }
    expect(written.state.conversations).toHaveLength(REMEMBERED_CONVERSATIONS);
    expect(written.conversations).toEqual(pure.conversations.map((c) => JSON.stringify(c)));
    expect(stateJson(written.state, written.conversations)).toBe(JSON.stringify(pure));
  });

  it('continues a state read back from Redis, stored before the bound or after it', () => {
    let pure = emptyClosenessState('c-1', config);
    for (let i = 0; i < 5; i++)
      pure = applyClosenessFact(
        pure,
        touchpoint(i, i % 3, i % 2 === 0, 'email', 0.5),
        config,
      ).state;
    const old = { ...pure, conversations: Object.fromEntries(pure.conversations) };
    for (const stored of [JSON.stringify(pure), JSON.stringify(old)]) {
      const written = writtenState(ownedClosenessState(JSON.parse(stored) as ClosenessState));
      const next = touchpoint(9, 7, true, 'chat', null);
      applyToWritten(written, next, config);
      const expected = applyClosenessFact(pure, next, config).state;
      expect(stateJson(written.state, written.conversations)).toBe(JSON.stringify(expected));
    }
  });

  it('writes a non-finite number and a missing last contact as JSON does', () => {
    const state = { ...emptyClosenessState('c-1', config), intensity: Number.POSITIVE_INFINITY };
    expect(stateJson(state, [])).toBe(JSON.stringify(state));
  });
});
