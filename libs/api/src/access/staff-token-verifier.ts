import { type StaffRole, effectiveRoles } from '@rapport/domain';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import { type OidcSettings } from './oidc-settings';
import { type StaffPrincipal } from './principal';

/** A token that does not authenticate anyone; `reason` is safe to show to the caller. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** The issuer could not be reached to learn its keys: the caller may retry. */
export class IssuerUnavailableError extends Error {
  override readonly name = 'IssuerUnavailableError';
}

/**
 * Verifies staff bearer tokens with `jose` against the issuer's published keys (found
 * through OpenID discovery once, then cached and refreshed by `jose` when a new `kid`
 * appears): signature, `iss`, `aud`, `exp`, `nbf`, and only the configured asymmetric
 * algorithms, so `alg: none` and HS/RS confusion are refused before any key is used.
 *
 * A token that verified is remembered for at most a minute (and never past its `exp`): a
 * console sends the same token with every request, and checking its signature again costs
 * more than answering most of them. A key the issuer withdraws is thus honoured for up to a
 * minute longer by tokens already seen.
 */
export class StaffTokenVerifier {
  private keys?: Promise<ReturnType<typeof createRemoteJWKSet>>;
  private readonly verified = new LRUCache<string, StaffPrincipal>({
    max: 10_000,
    ttl: 60_000,
  });

  constructor(
    private readonly settings: OidcSettings,
    private readonly fetchJson: (url: string) => Promise<unknown> = fetchDiscovery,
  ) {}

  async verify(token: string): Promise<StaffPrincipal> {
    const known = this.verified.get(token);
    // The same 30 s of clock tolerance as the verification.
    if (known && (known.expiresAtMs ?? 0) + 30_000 > Date.now()) return known;
    const principal = await this.verifySignature(token);
    this.verified.set(token, principal);
    return principal;
  }

  private async verifySignature(token: string): Promise<StaffPrincipal> {
    const keys = await this.jwks();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: [...this.settings.algorithms],
        clockTolerance: 30,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      // Only what is wrong with the token is the caller's fault; anything else (the JWKS
      // cannot be fetched, answers garbage) is the issuer's, and retrying may help.
      if (isTokenError(error)) throw new InvalidTokenError(reasonOf(error));
      throw new IssuerUnavailableError('the token issuer cannot be reached');
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 256) {
      throw new InvalidTokenError('the token has no usable "sub" claim');
    }
    const granted = claimAt(payload, this.settings.rolesClaim);
    const name = displayNameOf(payload.name ?? payload.preferred_username);
    return {
      kind: 'staff',
      subject: payload.sub as string,
      roles: effectiveRoles(Array.isArray(granted) ? granted : []) as ReadonlySet<StaffRole>,
      ...(name ? { name } : {}),
      ...(typeof payload.exp === 'number' ? { expiresAtMs: payload.exp * 1000 } : {}),
    };
  }

  private jwks(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    this.keys ??= this.discover().catch((error: unknown) => {
      this.keys = undefined; // the next request tries again
      throw error;
    });
    return this.keys;
  }

  private async discover(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    const url = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let document: unknown;
    try {
      document = await this.fetchJson(url);
    } catch {
      throw new IssuerUnavailableError('the token issuer cannot be reached');
    }
    const jwksUri = (document as { jwks_uri?: unknown } | null)?.jwks_uri;
    if (typeof jwksUri !== 'string') {
      throw new IssuerUnavailableError('the token issuer publishes no jwks_uri');
    }
    return createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: 5000,
      cooldownDuration: 30_000,
    });
  }
}

async function fetchDiscovery(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`discovery answered ${response.status}`);
  return response.json();
}

const TOKEN_ERRORS = [
  joseErrors.JWTExpired,
  joseErrors.JWTClaimValidationFailed,
  joseErrors.JWTInvalid,
  joseErrors.JWSInvalid,
  joseErrors.JOSEAlgNotAllowed,
  joseErrors.JWSSignatureVerificationFailed,
  joseErrors.JWKSNoMatchingKey,
  joseErrors.JWKSMultipleMatchingKeys,
  joseErrors.JOSENotSupported,
];

function isTokenError(error: unknown): boolean {
  return TOKEN_ERRORS.some((type) => error instanceof type);
}

function reasonOf(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return `the token's "${error.claim}" claim is not acceptable`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed)
    return 'the token is signed with an algorithm not accepted';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed)
    return 'the token signature is invalid';
  if (error instanceof joseErrors.JWKSNoMatchingKey)
    return 'the token is signed with an unknown key';
  return 'the token is not a valid signed JWT';
}

/** The value at a dotted path of the token's own claims (never the prototype chain). */
function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part))
      return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/** A display name from a token: a string, without control characters, at most 64 characters. */
function displayNameOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const name = value.replace(CONTROL_CHARACTERS, '').trim().slice(0, 64);
  return name.length > 0 ? name : undefined;
}
