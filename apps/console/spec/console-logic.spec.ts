import {
  allowedTransitions,
  CHANNELS as DOMAIN_CHANNELS,
  effectiveRoles as domainRoles,
  IDEA_STATUSES,
  STAFF_ROLES,
} from '@rapport/domain';
import { identityQuery } from '../src/api/identity-query';
import {
  CHANNELS,
  identityPayload,
  identityText,
  identityValue,
  NEXT_STATUSES,
} from '../src/api/types';
import { effectiveRoles, rolesInToken } from '../src/auth/roles';

/** A JWT with `payload` (unsigned: the console only reads it to hide what a role may not do). */
const token = (payload: object) =>
  ['e30', Buffer.from(JSON.stringify(payload)).toString('base64url'), 'sig'].join('.');

describe('the console’s pure logic', () => {
  it('reads roles from the configured claim, with the inclusions the API applies', () => {
    expect([...rolesInToken(token({ roles: ['supervisor'] }), 'roles')].sort()).toEqual([
      'agent',
      'supervisor',
    ]);
    expect([
      ...rolesInToken(token({ realm_access: { roles: ['admin', 'x'] } }), 'realm_access.roles'),
    ]).toEqual(['admin', 'data']);
    expect(rolesInToken(token({}), 'roles').size).toBe(0);
    expect(rolesInToken('not a token', 'roles').size).toBe(0);
    expect(effectiveRoles(['agent', 'data', 42]).has('supervisor')).toBe(false);
  });

  it('turns what staff typed into kind:value', () => {
    expect(identityQuery('auto', ' Maria.Rossi@Example.com ')).toBe(
      'email:Maria.Rossi@Example.com',
    );
    expect(identityQuery('auto', '+49 30 1234567')).toBe('phone:+49 30 1234567');
    expect(identityQuery('auto', 'visitor-7')).toBe('chat:visitor-7');
    expect(identityQuery('auto', 'social:instagram:maria')).toBe('social:instagram:maria');
    expect(identityQuery('card', '4711')).toBe('card:4711');
  });

  it('renders and sends identities in whichever shape the API returns them', () => {
    const object = { kind: 'social', network: 'instagram', value: 'maria' };
    expect(identityText(object)).toBe('social:instagram:maria');
    expect(identityText('email:a@b.example')).toBe('email:a@b.example');
    expect(identityValue('email:a@b.example')).toBe('a@b.example');
    expect(identityValue(object)).toBe('maria');
    expect(identityPayload('social:instagram:maria')).toEqual(object);
    expect(identityPayload('phone:+4930123')).toEqual({ kind: 'phone', value: '+4930123' });
    expect(identityPayload({ kind: 'email', value: 'a@b.example', verified: true })).toEqual({
      kind: 'email',
      value: 'a@b.example',
    });
  });

  it('mirrors the domain: status moves and role inclusions (the browser bundle cannot import it)', () => {
    for (const status of IDEA_STATUSES)
      expect(NEXT_STATUSES[status]).toEqual(allowedTransitions(status));
    expect([...CHANNELS].sort()).toEqual([...DOMAIN_CHANNELS].sort());
    for (const role of STAFF_ROLES)
      expect([...effectiveRoles([role])].sort()).toEqual([...domainRoles([role])].sort());
  });
});
