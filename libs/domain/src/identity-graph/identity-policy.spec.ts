import { type IdentityKind } from '../identity/channel-identity';
import { card, chat, email, phone, social } from './identity-graph.fixtures';
import {
  DEFAULT_IDENTITY_POLICY,
  type IdentityPolicy,
  byPriority,
  identityPolicyFrom,
  isAutoMergeKind,
  isBlockedIdentity,
  kindRank,
  maxIdentitiesOfKind,
} from './identity-policy';

function policyFrom(config: Partial<IdentityPolicy>): IdentityPolicy {
  const result = identityPolicyFrom(config);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

describe('identity policy', () => {
  it('defaults: verified e-mail and phone merge automatically; card > email > phone > social > chat', () => {
    const policy = DEFAULT_IDENTITY_POLICY;
    expect(
      ['email', 'phone', 'social', 'chat', 'card'].filter((k) =>
        isAutoMergeKind(policy, k as IdentityKind),
      ),
    ).toEqual(['email', 'phone']);
    const identities = [
      chat('V-1'),
      social('x', 'ann'),
      phone('+4930123456'),
      email('b@x.io'),
      email('a@x.io'),
      card('AB1234'),
    ];
    expect(identities.sort(byPriority(policy)).map((i) => i.value)).toEqual([
      'AB1234',
      'a@x.io',
      'b@x.io',
      '+4930123456',
      'ann',
      'V-1',
    ]);
    expect(maxIdentitiesOfKind(policy, 'email')).toBe(5);
    expect(isBlockedIdentity(policy, email('noreply@shop.example'))).toBe(true);
    expect(isBlockedIdentity(policy, email('ann@shop.example'))).toBe(false);
  });

  it('fills what configuration leaves out from the defaults', () => {
    expect(policyFrom({})).toEqual(DEFAULT_IDENTITY_POLICY);
    const policy = policyFrom({ priority: ['phone'], maxPerKind: { email: 2 } });
    expect(policy.priority).toEqual(['phone', 'email', 'social', 'chat', 'card']);
    expect(kindRank(policy, 'phone')).toBe(0);
    expect(maxIdentitiesOfKind(policy, 'email')).toBe(2);
    expect(maxIdentitiesOfKind(policy, 'phone')).toBe(Number.POSITIVE_INFINITY);
  });

  it('blocks exact keys and patterns; * is the only wildcard, the rest is literal', () => {
    const policy = policyFrom({
      blocked: ['phone:+4930999999', 'email:Info@*', 'email:a.b@*', 'social:x:*bot'],
    });
    expect(policy.blocked).toContain('email:info@*');
    expect(isBlockedIdentity(policy, phone('+4930999999'))).toBe(true);
    expect(isBlockedIdentity(policy, phone('+49309999990'))).toBe(false);
    expect(isBlockedIdentity(policy, email('info@shop.example'))).toBe(true);
    expect(isBlockedIdentity(policy, email('a.b@x.io'))).toBe(true);
    expect(isBlockedIdentity(policy, email('aXb@x.io'))).toBe(false);
    expect(isBlockedIdentity(policy, social('x', 'newsbot'))).toBe(true);
    expect(isBlockedIdentity(policy, social('instagram', 'newsbot'))).toBe(false);
    const cards = policyFrom({ blocked: ['card:test*'] });
    expect(cards.blocked).toEqual(['card:TEST*']);
    expect(isBlockedIdentity(cards, card('TEST0001'))).toBe(true);
  });

  it('names every bad setting', () => {
    const result = identityPolicyFrom({
      autoMergeKinds: ['fax' as IdentityKind],
      priority: ['email', 'email'],
      maxPerKind: { email: 0, fax: 2 } as Partial<Record<IdentityKind, number>>,
      blocked: ['info@*', 'email:'],
    });
    expect(!result.ok && result.errors.map((e) => e.path)).toEqual([
      'identityPolicy.autoMergeKinds.0',
      'identityPolicy.priority.1',
      'identityPolicy.maxPerKind.email',
      'identityPolicy.maxPerKind.fax',
      'identityPolicy.blocked.0',
      'identityPolicy.blocked.1',
    ]);
  });
});
