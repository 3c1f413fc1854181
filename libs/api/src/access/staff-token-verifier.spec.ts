import { TestIssuer } from '@rapport/testing';
import { oidcSettingsFrom } from './oidc-settings';
import { InvalidTokenError, StaffTokenVerifier } from './staff-token-verifier';

describe('StaffTokenVerifier', () => {
  let issuer: TestIssuer;
  let verifier: StaffTokenVerifier;
  beforeAll(async () => {
    issuer = await TestIssuer.start();
    verifier = new StaffTokenVerifier(oidcSettingsFrom(issuer.env())!);
  });
  afterAll(() => issuer.close());

  it('remembers a token that verified: the same principal again, without a new check', async () => {
    const token = await issuer.token({ subject: 'ann', roles: ['agent'] });
    const first = await verifier.verify(token);
    expect(first.subject).toBe('ann');
    expect(await verifier.verify(token)).toBe(first);
  });

  it('never serves a remembered token past its expiry (with the same 30 s of tolerance)', async () => {
    // Expired 29 s ago: still inside the tolerance, so it verifies and is remembered...
    const token = await issuer.token({ subject: 'bob', expiresIn: -29 });
    expect((await verifier.verify(token)).subject).toBe('bob');
    // ...and two seconds later it is past it: refused, not served from memory.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await expect(verifier.verify(token)).rejects.toThrow(InvalidTokenError);
  });

  it('remembers no token that failed', async () => {
    const forged = await issuer.token({ foreignKey: true });
    await expect(verifier.verify(forged)).rejects.toThrow(InvalidTokenError);
    await expect(verifier.verify(forged)).rejects.toThrow(InvalidTokenError);
  });
});
