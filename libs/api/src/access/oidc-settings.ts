/** How staff tokens are checked: the OpenID issuer the services trust, and what a token must say. */
export interface OidcSettings {
  /** The issuer URL exactly as tokens carry it in `iss`; its JWKS is found through discovery. */
  readonly issuer: string;
  /** The `aud` every token must name. */
  readonly audience: string;
  /** Where the roles are in the token: a claim name, or a dotted path (`realm_access.roles`). */
  readonly rolesClaim: string;
  /** Asymmetric algorithms accepted; `none` and HMAC algorithms can never be configured. */
  readonly algorithms: readonly string[];
}

export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

/** `RAPPORT_OIDC_*` → settings; `undefined` when no issuer is configured. */
export function oidcSettingsFrom(env: NodeJS.ProcessEnv): OidcSettings | undefined {
  const issuer = env.RAPPORT_OIDC_ISSUER?.trim();
  if (!issuer) return undefined;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new Error(`RAPPORT_OIDC_ISSUER=${issuer}: expected the issuer's URL`);
  }
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new Error(
      `RAPPORT_OIDC_ISSUER=${issuer}: an issuer is reached over https (http only on localhost)`,
    );
  }
  const algorithms = (env.RAPPORT_OIDC_ALGORITHMS || 'RS256,PS256,ES256,EdDSA')
    .split(',')
    .map((alg) => alg.trim())
    .filter(Boolean);
  const unsupported = algorithms.filter(
    (alg) => !(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg),
  );
  if (unsupported.length > 0 || algorithms.length === 0) {
    throw new Error(
      `RAPPORT_OIDC_ALGORITHMS=${env.RAPPORT_OIDC_ALGORITHMS}: only ${ASYMMETRIC_ALGORITHMS.join(', ')}`,
    );
  }
  const rolesClaim = env.RAPPORT_OIDC_ROLES_CLAIM?.trim() || 'roles';
  if (!/^[A-Za-z0-9_:/.-]+$/.test(rolesClaim)) {
    throw new Error(`RAPPORT_OIDC_ROLES_CLAIM=${rolesClaim}: a claim name or dotted path`);
  }
  return {
    issuer,
    audience: env.RAPPORT_OIDC_AUDIENCE?.trim() || 'rapport',
    rolesClaim,
    algorithms,
  };
}
