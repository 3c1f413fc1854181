import { channel } from 'node:diagnostics_channel';

/**
 * Where identity resolution reports the decisions it recorded (Node's `diagnostics_channel`:
 * free when nothing subscribes), for the service's metrics.
 */
export const IDENTITY_DECISIONS_CHANNEL = 'rapport:identity:decisions';

/** The event types of the decisions one batch recorded (`customer.identity-linked`, …). */
export interface IdentityDecisionsReport {
  readonly types: readonly string[];
}

export const identityDecisions = channel(IDENTITY_DECISIONS_CHANNEL);
