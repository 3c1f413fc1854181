import { DEFAULT_IDENTITY_POLICY, isBlockedIdentity } from './identity-policy';
import { parseIdentityPolicy } from './parse-identity-policy';

describe('parseIdentityPolicy (RAPPORT_IDENTITY_POLICY)', () => {
  it('overrides what it names and keeps the defaults for the rest', () => {
    const policy = parseIdentityPolicy(
      JSON.stringify({ blocked: ['email:info@*', 'phone:+4930999999'], maxPerKind: { email: 2 } }),
    );
    expect(policy.autoMergeKinds).toEqual(DEFAULT_IDENTITY_POLICY.autoMergeKinds);
    expect(policy.maxPerKind.email).toBe(2);
    expect(isBlockedIdentity(policy, { kind: 'email', value: 'info@shop.example' })).toBe(true);
    expect(isBlockedIdentity(policy, { kind: 'phone', value: '+4930999999' })).toBe(true);
    expect(isBlockedIdentity(policy, { kind: 'email', value: 'ann@shop.example' })).toBe(false);
  });

  it('refuses what is not a policy, naming the variable', () => {
    expect(() => parseIdentityPolicy('{')).toThrow(/RAPPORT_IDENTITY_POLICY: not JSON/);
    expect(() => parseIdentityPolicy('[]')).toThrow(/expected a JSON object/);
    expect(() => parseIdentityPolicy('{"autoMergeKinds":["fax"]}')).toThrow(
      /RAPPORT_IDENTITY_POLICY/,
    );
  });
});
