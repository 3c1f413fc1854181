import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { BlindIndex } from './blind-index';

const kinds = fc.constantFrom('email', 'phone', 'social', 'cookie');
const values = fc.string({ minLength: 1, maxLength: 60 });
const identityKeys = fc.tuple(kinds, values).map(([kind, value]) => `${kind}:${value}`);

describe('BlindIndex', () => {
  const pepper = randomBytes(32);
  const index = new BlindIndex(pepper);

  it('is deterministic, keeps the kind, and is short', () => {
    fc.assert(
      fc.property(identityKeys, (key) => {
        const blind = index.of(key);
        expect(new BlindIndex(Buffer.from(pepper)).of(key)).toBe(blind);
        expect(blind.startsWith(`${key.slice(0, key.indexOf(':'))}:~`)).toBe(true);
        expect(BlindIndex.isBlind(blind)).toBe(true);
      }),
    );
  });

  it('does not contain the address it stands for', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (address) => {
        expect(index.of(`email:${address}`)).not.toContain(address);
      }),
    );
  });

  it('gives distinct identities distinct values', () => {
    fc.assert(
      fc.property(fc.uniqueArray(identityKeys, { minLength: 2, maxLength: 200 }), (keys) => {
        expect(new Set(keys.map((k) => index.of(k))).size).toBe(keys.length);
      }),
    );
  });

  it('changes every value when the pepper changes', () => {
    fc.assert(
      fc.property(identityKeys, (key) => {
        expect(new BlindIndex(randomBytes(32)).of(key)).not.toBe(index.of(key));
      }),
    );
  });

  it('gives a fixed value for a fixed pepper: every process and release derives the same', () => {
    // HMAC-SHA-256(pepper = 32 bytes of 7, "email:ada@example.org"), first 16 bytes, base64url.
    const fixed = BlindIndex.fromBase64(Buffer.alloc(32, 7).toString('base64'));
    expect(fixed.of('email:ada@example.org')).toBe('email:~xlWzvFUQJavX55FDcRPH2A');
  });

  it('is HMAC-SHA-256 under the pepper, for peppers longer than a hash block too', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 200 }), identityKeys, (bytes, key) => {
        const pepper = Buffer.from(bytes);
        const hmac = createHmac('sha256', pepper).update(key, 'utf8').digest();
        expect(new BlindIndex(pepper).pseudonymOf(key)).toBe(
          `~${hmac.subarray(0, 16).toString('base64url')}`,
        );
      }),
    );
  });

  it('refuses a short pepper and keys that are not kind:value', () => {
    expect(() => new BlindIndex(randomBytes(31))).toThrow(/at least 32 bytes/);
    expect(() => BlindIndex.fromBase64('not base64!')).toThrow(/base64/);
    for (const bad of ['ada@example.org', ':x', 'email:', 'Email:x']) {
      expect(() => index.of(bad)).toThrow(/kind:value/);
    }
  });
});
