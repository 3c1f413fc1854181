import { ideaCommandOfTouchpoint, ideaIdForTouchpoint } from './idea-intake';
import {
  type ContactTouchpoint,
  ideaStatusNotification,
  mainContactOf,
  notificationIdFor,
  outboundTouchpointOf,
} from './idea-notification';

const mail = { kind: 'email' as const, value: 'ann@example.com' };
const insta = { kind: 'social' as const, value: 'ann', network: 'instagram' };
const tp = (
  channel: 'email' | 'social' | 'chat',
  occurredAt: string,
  direction: 'inbound' | 'outbound' = 'inbound',
): ContactTouchpoint => ({
  channel,
  direction,
  identity:
    channel === 'email' ? mail : channel === 'social' ? insta : { kind: 'chat', value: 'v1' },
  occurredAt,
});

describe('mainContactOf', () => {
  it('picks the channel with the most inbound touchpoints, with its latest identity', () => {
    expect(
      mainContactOf([
        tp('email', '2026-01-01'),
        tp('social', '2026-01-02'),
        tp('email', '2026-01-03'),
        tp('social', '2026-01-04', 'outbound'),
        tp('social', '2026-01-05', 'outbound'),
      ]),
    ).toEqual({ channel: 'email', identity: mail });
  });
  it('breaks a tie by the most recent use', () => {
    expect(mainContactOf([tp('email', '2026-01-01'), tp('social', '2026-01-02')])!.channel).toBe(
      'social',
    );
  });
  it('is null without inbound touchpoints', () => {
    expect(mainContactOf([tp('email', '2026-01-01', 'outbound')])).toBeNull();
  });
});

describe('status notifications', () => {
  const change = {
    ideaId: 'i1',
    from: 'new' as const,
    to: 'declined' as const,
    reason: 'out of scope',
    staffId: 's',
    at: '2026-03-01T00:00:00.000Z',
  };
  const n = ideaStatusNotification({
    statusEventId: 'ev-1',
    change,
    title: 'Dark mode',
    customerId: 'c1',
    contact: { channel: 'email', identity: mail },
  });

  it('has an id derived from the status change and the supporter', () => {
    expect(n.id).toBe(notificationIdFor('ev-1', 'c1'));
    expect(notificationIdFor('ev-1', 'c2')).not.toBe(n.id);
    expect(n).toMatchObject({ channel: 'email', to: 'declined', reason: 'out of scope' });
    expect(n.text).toContain('out of scope');
  });

  it('is recorded as an outbound touchpoint on the supporter’s stream, under the same id', () => {
    const out = outboundTouchpointOf(n);
    expect(out).toMatchObject({
      streamId: 'customer-c1',
      id: n.id,
      type: 'touchpoint.recorded.v1',
    });
    expect(out.data).toMatchObject({ channel: 'email', direction: 'outbound', identity: mail });
    expect(out.metadata).toMatchObject({
      customerId: 'c1',
      identityKey: 'email:ann@example.com',
      occurredAt: change.at,
    });
  });
});

describe('idea intake from touchpoints', () => {
  const base = {
    eventId: 'tp-1',
    customerId: 'c1',
    channel: 'chat' as const,
    direction: 'inbound' as const,
    occurredAt: '2026-03-01T00:00:00.000Z',
  };
  it('submits an idea with an id derived from the touchpoint', () => {
    const r = ideaCommandOfTouchpoint({
      ...base,
      metadata: { 'idea.action': 'submit', 'idea.title': 'Dark mode' },
    });
    expect(r).toEqual({
      ideaId: ideaIdForTouchpoint('tp-1'),
      command: expect.objectContaining({
        kind: 'submit',
        title: 'Dark mode',
        customerId: 'c1',
        origin: { kind: 'touchpoint', touchpointEventId: 'tp-1', channel: 'chat' },
      }),
    });
  });
  it('votes and withdraws on a named idea', () => {
    expect(
      ideaCommandOfTouchpoint({ ...base, metadata: { 'idea.action': 'vote', 'idea.id': 'i9' } }),
    ).toMatchObject({ ideaId: 'i9', command: { kind: 'vote' } });
    expect(
      ideaCommandOfTouchpoint({
        ...base,
        metadata: { 'idea.action': 'withdraw', 'idea.id': 'i9' },
      }),
    ).toMatchObject({ command: { kind: 'withdraw-vote' } });
  });
  it('ignores outbound touchpoints, other metadata and incomplete actions', () => {
    expect(
      ideaCommandOfTouchpoint({
        ...base,
        direction: 'outbound',
        metadata: { 'idea.action': 'vote', 'idea.id': 'i9' },
      }),
    ).toBeNull();
    expect(ideaCommandOfTouchpoint({ ...base, metadata: { order: '42' } })).toBeNull();
    expect(ideaCommandOfTouchpoint({ ...base, metadata: { 'idea.action': 'submit' } })).toBeNull();
    expect(ideaCommandOfTouchpoint(base)).toBeNull();
  });
});
