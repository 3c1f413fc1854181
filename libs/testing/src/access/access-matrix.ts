import { randomUUID } from 'node:crypto';
import { type TestIssuer } from './test-issuer';

/** What the matrix needs of a route (`RouteEntry` of `@rapport/api`, without depending on it). */
export interface MatrixRoute {
  readonly method: string;
  readonly path: string;
  readonly policy?:
    | { readonly kind: 'open' }
    | { readonly kind: 'staff'; readonly role: string }
    | { readonly kind: 'adapter' }
    | { readonly kind: 'scraper' };
}

/** One caller of the matrix: the headers it sends and whether it should get past the guard. */
export interface MatrixCaller {
  readonly name: string;
  readonly headers: Record<string, string>;
  /** `pass`: anything but 401/403; otherwise the exact status. */
  readonly expect: (route: MatrixRoute) => 'pass' | 401 | 403;
}

const ROLE_INCLUDES: Record<string, readonly string[]> = {
  agent: ['agent'],
  supervisor: ['supervisor', 'agent'],
  data: ['data'],
  admin: ['admin', 'data'],
};

/**
 * The callers of the route × principal matrix: nobody, every way a token can be wrong, each
 * role, and an adapter key. `adapterKey` is a valid key of the app under test.
 */
export async function matrixCallers(
  issuer: TestIssuer,
  adapterKey: string,
): Promise<MatrixCaller[]> {
  const staffOnly = (route: MatrixRoute) => (route.policy?.kind === 'open' ? 'pass' : 401);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const invalid = async (name: string, token: Promise<string> | string): Promise<MatrixCaller> => ({
    name,
    headers: bearer(await token),
    expect: staffOnly,
  });
  const callers: MatrixCaller[] = [
    { name: 'no credentials', headers: {}, expect: staffOnly },
    await invalid(
      'expired token',
      issuer.token({ roles: ['admin', 'supervisor'], expiresIn: -120 }),
    ),
    await invalid(
      'not yet valid token',
      issuer.token({ roles: ['admin', 'supervisor'], notBefore: 600 }),
    ),
    await invalid(
      'wrong issuer',
      issuer.token({ roles: ['admin', 'supervisor'], issuer: 'https://evil.example' }),
    ),
    await invalid(
      'wrong audience',
      issuer.token({ roles: ['admin', 'supervisor'], audience: 'other-api' }),
    ),
    await invalid(
      'bad signature',
      issuer.token({ roles: ['admin', 'supervisor'], foreignKey: true }),
    ),
    await invalid('alg none', issuer.unsignedToken()),
    await invalid('HS256 with the public key', issuer.confusedToken()),
    await invalid('garbage token', 'not.a.jwt'),
  ];
  for (const role of Object.keys(ROLE_INCLUDES)) {
    callers.push({
      name: `role ${role}`,
      headers: bearer(await issuer.token({ subject: `matrix-${role}`, roles: [role] })),
      expect: (route) => {
        const policy = route.policy;
        if (!policy || policy.kind === 'open') return 'pass';
        if (policy.kind === 'adapter' || policy.kind === 'scraper') return 401;
        return ROLE_INCLUDES[role].includes(policy.role) ? 'pass' : 403;
      },
    });
  }
  callers.push({
    name: 'no roles',
    headers: bearer(await issuer.token({ subject: 'matrix-nobody', roles: [] })),
    expect: (route) =>
      route.policy?.kind === 'open'
        ? 'pass'
        : route.policy?.kind === 'adapter' || route.policy?.kind === 'scraper'
          ? 401
          : 403,
  });
  callers.push({
    name: 'adapter key',
    headers: { 'x-api-key': adapterKey },
    expect: (route) =>
      route.policy?.kind === 'open' || route.policy?.kind === 'adapter' ? 'pass' : 401,
  });
  callers.push({
    name: 'forged adapter key',
    headers: { 'x-api-key': `rk_${'0'.repeat(16)}.${'A'.repeat(43)}` },
    expect: staffOnly,
  });
  return callers;
}

/** A concrete URL for a route template: plausible ids for every parameter. */
export function concreteUrl(path: string): string {
  return path.replace(/:(\w+)/g, (_match, name: string) => {
    if (name === 'name') return 'timeline';
    if (name === 'identity') return encodeURIComponent('email:matrix@example.com');
    if (name === 'id' && path.includes('adapter-keys')) return '0123456789abcdef';
    return randomUUID();
  });
}

/**
 * Sends every caller to every route of a running service; answers the mismatches (empty
 * when the service enforces each route's policy). A 401/403 must be problem details.
 */
export async function runAccessMatrix(
  baseUrl: string,
  routes: readonly MatrixRoute[],
  callers: readonly MatrixCaller[],
): Promise<string[]> {
  const wrong: string[] = [];
  for (const route of routes) {
    const url = `${baseUrl}${concreteUrl(route.path)}`;
    for (const caller of callers) {
      const expected = caller.expect(route);
      const withBody = route.method !== 'GET' && route.method !== 'DELETE';
      const res = await fetch(url, {
        method: route.method,
        headers: { ...caller.headers, ...(withBody ? { 'content-type': 'application/json' } : {}) },
        ...(withBody ? { body: '{}' } : {}),
      });
      await res.arrayBuffer();
      const passed = res.status !== 401 && res.status !== 403 && res.status < 500;
      const ok = expected === 'pass' ? passed : res.status === expected;
      const problem =
        res.status !== 401 && res.status !== 403
          ? true
          : (res.headers.get('content-type') ?? '').startsWith('application/problem+json');
      if (!ok || !problem) {
        wrong.push(
          `${route.method} ${route.path} as ${caller.name}: ${res.status}, expected ${expected}`,
        );
      }
    }
  }
  return wrong;
}
