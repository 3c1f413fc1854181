import { type FieldError } from '../validation/field-error';

export type IdentityRefusalCode =
  | 'no-identity'
  | 'same-identity'
  | 'blocked-identity'
  | 'unknown-identity'
  | 'already-linked'
  | 'different-customers'
  | 'kept-apart'
  | 'kind-limit'
  | 'last-identity'
  | 'unknown-customer'
  | 'merge-into-itself'
  | 'already-merged'
  | 'survivor-is-merged'
  | 'customer-is-merged'
  | 'not-merged'
  | 'no-open-suggestion';

/** Why a command was refused: a field error (path = the command field) with a stable code. */
export interface IdentityRefusal extends FieldError {
  readonly code: IdentityRefusalCode;
}

/**
 * A decider's answer. A `Validated<T>` (refusals are field errors), so the HTTP layer maps
 * it like any validation result; the code lets a caller treat e.g. `already-linked` as done.
 */
export type IdentityDecision<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: IdentityRefusal[] };

export function refuse<T = never>(
  code: IdentityRefusalCode,
  path: string,
  message: string,
): IdentityDecision<T> {
  return { ok: false, errors: [{ code, path, message }] };
}
