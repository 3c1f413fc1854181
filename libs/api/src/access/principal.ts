import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type PublisherScope, type StaffRole } from '@rapport/domain';

/** A member of staff, as their verified token says. */
export interface StaffPrincipal {
  readonly kind: 'staff';
  /** The token's `sub`: the staff id recorded in events and in the audit trail. */
  readonly subject: string;
  /** Effective roles (a supervisor is also an agent, an admin also `data`). */
  readonly roles: ReadonlySet<StaffRole>;
  /** The name staff know them by (`name` or `preferred_username`), for presence and notes. */
  readonly name?: string;
  /** When the token expires (ms since the epoch): a live stream ends then. */
  readonly expiresAtMs?: number;
}

/** A channel adapter, as its key says. */
export interface AdapterPrincipal {
  readonly kind: 'adapter';
  readonly keyId: string;
  readonly scope: PublisherScope;
}

export type Principal = StaffPrincipal | AdapterPrincipal;

/** Where the guard leaves the principal on the request. */
export interface AuthenticatedRequest {
  principal?: Principal;
}

/** The staff member the guard authenticated (routes under an `Access.staff` policy). */
export const StaffCaller = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (principal?.kind !== 'staff')
    throw new Error('StaffCaller used on a route without a staff policy');
  return principal;
});

/** The adapter the guard authenticated (routes under `Access.adapter`). */
export const AdapterCaller = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (principal?.kind !== 'adapter')
    throw new Error('AdapterCaller used on a route without an adapter policy');
  return principal;
});
