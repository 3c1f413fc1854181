import { touchpointIdentitiesOf } from '@rapport/domain';
import { parseInboundEvent } from './parse-inbound-event';
import { toLogEvent } from './to-log-event';

const now = new Date('2026-06-01T12:00:00Z');
const touchpoint = (data: Record<string, unknown>) => ({
  specversion: '1.0',
  id: 'chat-1',
  source: 'adapters/chat',
  type: 'touchpoint.recorded.v1',
  time: '2026-05-31T09:30:00Z',
  data: {
    channel: 'chat',
    direction: 'inbound',
    identity: { kind: 'chat', value: ' v-123 ' },
    ...data,
  },
});

describe('touchpoints with more than one identity', () => {
  it('normalises every identity in data.identities and keeps verified flags', () => {
    const parsed = parseInboundEvent(
      touchpoint({
        identities: [
          { kind: 'email', value: ' Ann@Example.com', verified: true },
          { kind: 'phone', value: '+49 30 123456' },
        ],
      }),
      { now },
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.value.cloudEvent.data?.identities).toEqual([
      { kind: 'email', value: 'ann@example.com', verified: true },
      { kind: 'phone', value: '+4930123456' },
    ]);
    const draft = toLogEvent(parsed.value);
    expect(
      touchpointIdentitiesOf({ type: draft.type, data: draft.data, metadata: draft.metadata }),
    ).toEqual({
      identities: [
        { kind: 'chat', value: 'v-123' },
        { kind: 'email', value: 'ann@example.com', verified: true },
        { kind: 'phone', value: '+4930123456' },
      ],
      source: 'adapters/chat',
      at: '2026-05-31T09:30:00.000Z',
    });
  });

  it('keeps the single-identity shape as it was (no identities field added)', () => {
    const parsed = parseInboundEvent(touchpoint({}), { now });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.value.cloudEvent.data).not.toHaveProperty('identities');
  });

  it('refuses bad identities with field paths, unknown fields, and more than 10', () => {
    const errors = (data: Record<string, unknown>) => {
      const parsed = parseInboundEvent(touchpoint(data), { now });
      return parsed.ok ? [] : [...new Set(parsed.errors.map((e) => e.path))];
    };
    expect(errors({ identities: [{ kind: 'email', value: 'not-an-address' }] })).toEqual([
      'data.identities.0.value',
    ]);
    expect(errors({ identities: [{ kind: 'email', value: 'a@b.co', nick: 'x' }] })).toEqual([
      'data.identities.0.nick',
    ]);
    expect(errors({ identities: 'email:a@b.co' })).toEqual(['data.identities']);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ kind: 'chat', value: `v-${i}` }));
    expect(errors({ identities: eleven })).toEqual(['data.identities']);
  });
});
