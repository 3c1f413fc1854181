import { customerIdFor } from '../identity/customer-id';
import { identityKey } from '../identity/channel-identity';
import { toClosenessFact } from './closeness-fact';

const ann = { kind: 'email' as const, value: 'ann@example.com' };
const annPhone = { kind: 'phone' as const, value: '+4930123456' };
const shared = { kind: 'email' as const, value: 'noreply@example.com' };

function touchpoint(data: Record<string, unknown>, customerId = customerIdFor(ann)) {
  return {
    id: 'e-1',
    position: 7,
    type: 'touchpoint.recorded.v1',
    data: { channel: 'email', direction: 'inbound', identity: ann, ...data },
    metadata: { customerId, occurredAt: '2026-06-01T10:00:00.000Z' },
  };
}

describe('toClosenessFact', () => {
  it('keeps what the score needs of a touchpoint, the optional fields only when given', () => {
    expect(toClosenessFact(touchpoint({ conversationId: 't-1', sentiment: 0.5 }))).toEqual({
      eventId: 'e-1',
      position: 7,
      customerId: customerIdFor(ann),
      bucket: identityKey(ann),
      occurredAtMs: Date.parse('2026-06-01T10:00:00.000Z'),
      kind: 'touchpoint',
      channel: 'email',
      direction: 'inbound',
      conversationId: 't-1',
      sentiment: 0.5,
    });
    const plain = toClosenessFact(touchpoint({ sentiment: 3 })) as object;
    expect(Object.keys(plain)).not.toContain('conversationId');
    expect(Object.keys(plain)).not.toContain('sentiment'); // out of −1…1: not a sentiment
  });

  it('files a touchpoint under the identity the timeline files it under', () => {
    const fact = toClosenessFact(
      touchpoint({ identity: shared, identities: [annPhone] }, customerIdFor(shared)),
    );
    // noreply@ is blocked by the default policy: the touchpoint is the phone's person's.
    expect(fact).toMatchObject({
      bucket: identityKey(annPhone),
      customerId: customerIdFor(annPhone),
    });
  });

  it('files an idea event under its customer, and ignores what does not bear on closeness', () => {
    expect(
      toClosenessFact({
        id: 'e-2',
        position: 8,
        type: 'idea.voted.v1',
        data: { customerId: 'c-9', at: '2026-06-01T10:00:00.000Z' },
        metadata: {},
      }),
    ).toMatchObject({ kind: 'co-creation', coCreation: 'voted', bucket: 'customer:c-9' });
    expect(toClosenessFact(touchpoint({ channel: 'pigeon' }))).toBeNull();
  });
});
