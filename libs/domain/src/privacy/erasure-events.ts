/** The stream every erasure and suppression decision is appended to, in order. */
export const ERASURE_STREAM = 'customer-erasures';

export const ErasureEventNames = {
  erased: 'customer.erased',
  suppressionLifted: 'customer.suppression-lifted',
} as const;

export const CUSTOMER_ERASED_V1 = `${ErasureEventNames.erased}.v1`;
export const SUPPRESSION_LIFTED_V1 = `${ErasureEventNames.suppressionLifted}.v1`;

/**
 * `customer.erased.v1`: a person was forgotten (GDPR art. 17). Their data keys are destroyed
 * (every personal field written for them reads as erased from then on), every read model
 * drops them, and new touchpoints of `identityKeys` are suppressed until lifted.
 */
export interface CustomerErasedV1 {
  /** The customer asked for, resolved to the survivor of its merges. */
  readonly customerId: string;
  /** Every customer id whose data key was destroyed: the survivor, those merged into it, and each identity's first customer. */
  readonly erasedCustomerIds: readonly string[];
  /** The person's identities, as pseudonymous keys (`email:~…`): never the plain values. */
  readonly identityKeys: readonly string[];
  /** Why, as staff gave it (a ticket reference; no personal data). */
  readonly reason: string;
  /** The staff member (or `cli`) who asked. */
  readonly requestedBy: string;
  readonly at: string;
}

/** `customer.suppression-lifted.v1`: new touchpoints of these identities are stored again. */
export interface SuppressionLiftedV1 {
  readonly identityKeys: readonly string[];
  /** The erased customers these identities come back as: read models know them again. */
  readonly customerIds: readonly string[];
  readonly reason: string;
  readonly requestedBy: string;
  readonly at: string;
}

export type ErasureEvent =
  | { readonly type: typeof CUSTOMER_ERASED_V1; readonly data: CustomerErasedV1 }
  | { readonly type: typeof SUPPRESSION_LIFTED_V1; readonly data: SuppressionLiftedV1 };

/** The identity keys suppressed after these decisions, in log order. */
export function applySuppression(
  suppressed: Set<string>,
  event: { readonly type: string; readonly data: unknown },
): Set<string> {
  if (event.type === CUSTOMER_ERASED_V1) {
    for (const key of (event.data as CustomerErasedV1).identityKeys) suppressed.add(key);
  } else if (event.type === SUPPRESSION_LIFTED_V1) {
    for (const key of (event.data as SuppressionLiftedV1).identityKeys) suppressed.delete(key);
  }
  return suppressed;
}

/** The suppression lift an event records, or null. */
export function suppressionLiftedFrom(event: {
  readonly type: string;
  readonly data: unknown;
}): SuppressionLiftedV1 | null {
  return event.type === SUPPRESSION_LIFTED_V1 ? (event.data as SuppressionLiftedV1) : null;
}

/** The erasure an event records, or null. */
export function customerErasedFrom(event: {
  readonly type: string;
  readonly data: unknown;
}): CustomerErasedV1 | null {
  return event.type === CUSTOMER_ERASED_V1 ? (event.data as CustomerErasedV1) : null;
}
