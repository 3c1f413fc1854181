import { oidcSettingsFrom } from './oidc-settings';

describe('RAPPORT_OIDC_* settings', () => {
  it('are off without an issuer, and default the audience, roles claim and algorithms', () => {
    expect(oidcSettingsFrom({})).toBeUndefined();
    expect(
      oidcSettingsFrom({ RAPPORT_OIDC_ISSUER: 'https://id.example.com/realms/rapport' }),
    ).toEqual({
      issuer: 'https://id.example.com/realms/rapport',
      audience: 'rapport',
      rolesClaim: 'roles',
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
    });
  });

  it('refuse an issuer over plain http unless it is this machine', () => {
    expect(() => oidcSettingsFrom({ RAPPORT_OIDC_ISSUER: 'http://id.example.com' })).toThrow(
      /https/,
    );
    expect(oidcSettingsFrom({ RAPPORT_OIDC_ISSUER: 'http://127.0.0.1:3001' })?.issuer).toBe(
      'http://127.0.0.1:3001',
    );
    expect(() => oidcSettingsFrom({ RAPPORT_OIDC_ISSUER: 'not a url' })).toThrow(/issuer's URL/);
  });

  it('can never accept none or an HMAC algorithm', () => {
    for (const alg of ['none', 'HS256', 'RS256,HS256']) {
      expect(() =>
        oidcSettingsFrom({
          RAPPORT_OIDC_ISSUER: 'https://id.example.com',
          RAPPORT_OIDC_ALGORITHMS: alg,
        }),
      ).toThrow(/RAPPORT_OIDC_ALGORITHMS/);
    }
  });

  it('take the roles from a dotted claim path', () => {
    const settings = oidcSettingsFrom({
      RAPPORT_OIDC_ISSUER: 'https://id.example.com',
      RAPPORT_OIDC_ROLES_CLAIM: 'realm_access.roles',
      RAPPORT_OIDC_AUDIENCE: 'rapport-api',
    });
    expect(settings).toMatchObject({ rolesClaim: 'realm_access.roles', audience: 'rapport-api' });
    expect(() =>
      oidcSettingsFrom({
        RAPPORT_OIDC_ISSUER: 'https://id.example.com',
        RAPPORT_OIDC_ROLES_CLAIM: 'a b',
      }),
    ).toThrow(/ROLES_CLAIM/);
  });
});
