import fc from 'fast-check';
import { customerIdFor } from './customer-id';
import { identityKey } from './channel-identity';
import { normalizeIdentity } from './normalize-identity';

const norm = (raw: Parameters<typeof normalizeIdentity>[0], region?: string) =>
  normalizeIdentity(raw, 'identity', { defaultPhoneRegion: region });

describe('normalizeIdentity', () => {
  it('lower-cases and trims e-mail addresses', () => {
    expect(norm({ kind: 'email', value: '  Ann.Lee@Example.COM ' })).toEqual({
      ok: true,
      value: { kind: 'email', value: 'ann.lee@example.com' },
    });
  });

  it('refuses what is not an e-mail address', () => {
    const result = norm({ kind: 'email', value: 'ann at example' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0].path).toBe('identity.value');
  });

  it('writes phone numbers in E.164, with or without a default region', () => {
    expect(norm({ kind: 'phone', value: '+49 (30) 1234-5678' })).toMatchObject({
      ok: true,
      value: { value: '+493012345678' },
    });
    expect(norm({ kind: 'phone', value: '030 12345678' }, 'DE')).toMatchObject({
      ok: true,
      value: { value: '+493012345678' },
    });
    expect(norm({ kind: 'phone', value: '(415) 555-2671' }, 'US')).toMatchObject({
      ok: true,
      value: { value: '+14155552671' },
    });
    expect(norm({ kind: 'phone', value: '030 12345678' }).ok).toBe(false);
    expect(norm({ kind: 'phone', value: '+49 1' }).ok).toBe(false);
  });

  it('keys social identities by network and handle without @, case-insensitively', () => {
    const a = norm({ kind: 'social', network: 'Instagram', value: '@Ann_Lee' });
    const b = norm({ kind: 'social', network: 'instagram', value: 'ann_lee' });
    expect(a).toEqual(b);
    expect(a.ok && identityKey(a.value)).toBe('social:instagram:ann_lee');
    expect(norm({ kind: 'social', value: 'ann' }).ok).toBe(false);
    expect(norm({ kind: 'social', network: 'x', value: 'has space' }).ok).toBe(false);
  });

  it('keeps chat visitor ids as they are (trimmed), and compacts card ids', () => {
    expect(norm({ kind: 'chat', value: ' V-AbC123 ' })).toMatchObject({
      value: { value: 'V-AbC123' },
    });
    expect(norm({ kind: 'chat', value: 'two words' }).ok).toBe(false);
    expect(norm({ kind: 'card', value: 'ab12 3456-7890' })).toMatchObject({
      value: { value: 'AB1234567890' },
    });
    expect(norm({ kind: 'card', value: '12' }).ok).toBe(false);
  });

  it('keeps the verified flag', () => {
    expect(norm({ kind: 'email', value: 'a@b.co', verified: true })).toMatchObject({
      value: { verified: true },
    });
  });

  it('gives one customer id per normalised identity, the same on every call', () => {
    const a = norm({ kind: 'email', value: 'Ann@Example.com' });
    const b = norm({ kind: 'email', value: 'ann@example.com ' });
    const c = norm({ kind: 'email', value: 'bob@example.com' });
    if (!a.ok || !b.ok || !c.ok) throw new Error('expected valid identities');
    expect(customerIdFor(a.value)).toBe(customerIdFor(b.value));
    expect(customerIdFor(a.value)).not.toBe(customerIdFor(c.value));
    expect(customerIdFor(a.value)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('refusals never repeat the value they refuse (it is personal data, and ends up in logs and DLQ headers)', () => {
  it('for any kind and any value', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('email', 'phone', 'social', 'card', 'chat'),
        fc.string({ minLength: 4, maxLength: 40 }),
        (kind, value) => {
          const marked = `Zq${value}Xw`;
          const result = normalizeIdentity(
            { kind, value: marked, network: 'instagram' } as never,
            'identity',
          );
          if (!result.ok) {
            for (const error of result.errors) expect(error.message).not.toContain(marked.trim());
          }
        },
      ),
    );
  });
});
