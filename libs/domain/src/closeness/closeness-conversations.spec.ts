import {
  applyClosenessFact,
  type ClosenessFact,
  type ClosenessState,
  DEFAULT_CLOSENESS_CONFIG,
  emptyClosenessState,
  REMEMBERED_CONVERSATIONS,
} from './index';

const config = DEFAULT_CLOSENESS_CONFIG;
let position = 0;
const email = (conversationId: string, direction: 'inbound' | 'outbound'): ClosenessFact => {
  position += 1;
  return {
    kind: 'touchpoint',
    eventId: `e-${position}`,
    position,
    customerId: 'c-1',
    bucket: 'customer:c-1',
    occurredAtMs: Date.UTC(2026, 0, 1) + position * 60_000,
    channel: 'email',
    direction,
    conversationId,
  };
};

/** Folds the facts; returns the state and which of them counted as two-way. */
function fold(facts: ClosenessFact[]) {
  let state = emptyClosenessState('c-1', config);
  const twoWay: boolean[] = [];
  for (const fact of facts) {
    const next = applyClosenessFact(state, fact, config);
    twoWay.push(next.weights.twoWay);
    state = next.state;
  }
  return { state, twoWay };
}

describe('the conversations a closeness state remembers', () => {
  it('are bounded: thousands of conversations fold in linear time and keep the latest', () => {
    const facts: ClosenessFact[] = [];
    for (let c = 0; c < 5000; c++)
      facts.push(email(`conv-${c}`, 'inbound'), email(`conv-${c}`, 'outbound'));
    const { state, twoWay } = fold(facts);
    const remembered = state.conversations.map(([id]) => id);
    expect(remembered).toHaveLength(REMEMBERED_CONVERSATIONS);
    expect(remembered[remembered.length - 1]).toBe('conv-4999');
    expect(remembered).not.toContain('conv-0');
    // Every reply answered a conversation still remembered: all two-way.
    expect(twoWay.filter((w, i) => i % 2 === 1 && w)).toHaveLength(5000);
  });

  it('forget the least recent: a reply to a conversation pushed out starts it over', () => {
    const facts = [email('old', 'inbound')];
    for (let c = 0; c < REMEMBERED_CONVERSATIONS; c++) facts.push(email(`new-${c}`, 'inbound'));
    facts.push(email('old', 'outbound'), email('new-5', 'outbound'));
    const { twoWay } = fold(facts);
    expect(twoWay.slice(-2)).toEqual([false, true]);
  });

  it('read a state stored before the bound (plain direction bits) as the least recent', () => {
    let state: ClosenessState = {
      ...emptyClosenessState('c-1', config),
      conversations: { legacy: 1 } as unknown as ClosenessState['conversations'],
    };
    const reply = applyClosenessFact(state, email('legacy', 'outbound'), config);
    expect(reply.weights.twoWay).toBe(true);
    state = reply.state;
    for (let c = 0; c < REMEMBERED_CONVERSATIONS; c++)
      state = applyClosenessFact(state, email(`n-${c}`, 'inbound'), config).state;
    expect(state.conversations.map(([id]) => id)).not.toContain('legacy');
  });
});
