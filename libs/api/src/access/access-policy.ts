import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiSecurity } from '@nestjs/swagger';
import { type StaffRole } from '@rapport/domain';
import { ApiProblemResponse } from '../http/openapi-responses';

/** Who may call a route. Every route declares one; the guard refuses a route that does not. */
export type AccessPolicy =
  | { readonly kind: 'open' }
  | { readonly kind: 'staff'; readonly role: StaffRole }
  | { readonly kind: 'adapter' }
  /** The metrics scraper: a bearer token of its own, nothing else (docs/decisions/0028). */
  | { readonly kind: 'scraper' };

export const ACCESS_POLICY = 'rapport:access-policy';

/** The OpenAPI security schemes (declared on the document in `createOpenApiDocument`). */
export const STAFF_SECURITY_SCHEME = 'staff';
export const ADAPTER_SECURITY_SCHEME = 'adapterKey';
/** The header a channel adapter sends its key in. */
export const ADAPTER_KEY_HEADER = 'x-api-key';

export const Access = {
  /** Anyone, without credentials: only what says nothing about customers (liveness). */
  open: () => SetMetadata(ACCESS_POLICY, { kind: 'open' } satisfies AccessPolicy),

  /** Staff holding `role` (or a role that includes it) in a valid token. */
  staff: (role: StaffRole) =>
    applyDecorators(
      SetMetadata(ACCESS_POLICY, { kind: 'staff', role } satisfies AccessPolicy),
      ApiBearerAuth(STAFF_SECURITY_SCHEME),
      ApiExtension('x-required-role', role),
      ApiProblemResponse(401, 'no valid bearer token'),
      ApiProblemResponse(403, `the token lacks the ${role} role`),
      ApiProblemResponse(429, 'too many requests from this principal'),
    ),

  /**
   * Prometheus: `Authorization: Bearer <RAPPORT_METRICS_TOKEN>`. No staff token or adapter
   * key opens it, and without a configured token nobody may scrape.
   */
  scraper: () => SetMetadata(ACCESS_POLICY, { kind: 'scraper' } satisfies AccessPolicy),

  /** A channel adapter with a valid, unrevoked key (its scope applies to what it sends). */
  adapter: () =>
    applyDecorators(
      SetMetadata(ACCESS_POLICY, { kind: 'adapter' } satisfies AccessPolicy),
      ApiSecurity(ADAPTER_SECURITY_SCHEME),
      ApiProblemResponse(401, 'no valid adapter key'),
      ApiProblemResponse(429, 'too many requests from this adapter key'),
    ),
};
