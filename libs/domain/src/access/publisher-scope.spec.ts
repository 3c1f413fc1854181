import fc from 'fast-check';
import { CHANNELS } from '../channels';
import { IDENTITY_KINDS } from '../identity/channel-identity';
import {
  publisherScopeErrors,
  publisherScopeFrom,
  sourceMatches,
  trustedIdentity,
  UNRESTRICTED_SCOPE,
} from './publisher-scope';
import { effectiveRoles } from './staff-roles';

describe('publisher scope', () => {
  it('matches sources by * only: every other character stands for itself', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (before, middle, after) => {
        const literal = `${before}${after}`.replace(/\*/g, '');
        expect(sourceMatches(literal, literal)).toBe(true);
        expect(sourceMatches(`${literal}*`, `${literal}${middle}`)).toBe(true);
        expect(sourceMatches('*', middle)).toBe(true);
        if (literal.length > 0) expect(sourceMatches(literal, `${literal}x`)).toBe(false);
      }),
    );
    expect(sourceMatches('crm://acme/*', 'crm://acme/eu')).toBe(true);
    expect(sourceMatches('crm://acme/*', 'crm://acmeX/eu')).toBe(false);
    expect(sourceMatches('a.c', 'abc')).toBe(false);
  });

  it('never makes an identity verified, and keeps it verified only for trusted kinds', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...IDENTITY_KINDS),
        fc.boolean(),
        fc.subarray([...IDENTITY_KINDS]),
        (kind, verified, trusted) => {
          const out = trustedIdentity(
            { ...UNRESTRICTED_SCOPE, verifiedKinds: trusted },
            { kind, value: 'x', verified },
          );
          expect(out.verified === true).toBe(verified && trusted.includes(kind));
        },
      ),
    );
  });

  it('names the channel and the source a publisher may not use', () => {
    const scope = {
      channels: ['chat' as const],
      sourcePatterns: ['widget://*'],
      verifiedKinds: [],
    };
    expect(publisherScopeErrors(scope, 'chat', 'widget://a')).toEqual([]);
    expect(publisherScopeErrors(scope, 'email', 'crm://a').map((e) => e.path)).toEqual([
      'data.channel',
      'source',
    ]);
  });

  it('reads a scope from configuration, refusing unknown channels and kinds', () => {
    expect(
      publisherScopeFrom({
        channels: ['email', 'email'],
        sourcePatterns: ['*'],
        verifiedKinds: [],
      }),
    ).toEqual({
      ok: true,
      value: { channels: ['email'], sourcePatterns: ['*'], verifiedKinds: [] },
    });
    const bad = publisherScopeFrom({
      channels: ['fax'],
      sourcePatterns: [''],
      verifiedKinds: ['dna'],
    });
    expect(bad.ok ? [] : bad.errors.map((e) => e.path)).toEqual([
      'channels.0',
      'sourcePatterns.0',
      'verifiedKinds.0',
    ]);
    expect(CHANNELS.length).toBeGreaterThan(0);
  });
});

describe('staff roles', () => {
  it('gives a supervisor the agent role and an admin the data role, nothing else', () => {
    expect([...effectiveRoles(['supervisor'])].sort()).toEqual(['agent', 'supervisor']);
    expect([...effectiveRoles(['admin'])].sort()).toEqual(['admin', 'data']);
    expect([...effectiveRoles(['root', 42, 'agent'])]).toEqual(['agent']);
    expect(effectiveRoles([]).size).toBe(0);
  });
});
