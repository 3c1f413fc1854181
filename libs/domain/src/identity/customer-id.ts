import { parse as parseUuid, v5 as uuidv5 } from 'uuid';
import { type ChannelIdentity, identityKey } from './channel-identity';

/** Namespace of customer ids derived from identities (a fixed, random UUID). */
// Parsed once: uuid would parse a string namespace on every call (this is on the ingest hot path).
const CUSTOMER_NAMESPACE = parseUuid('a3c1f6d2-4f0b-4c59-9d2e-5b7f1e8a6c10');

/**
 * The customer an identity first belongs to. It is derived from the normalised identity,
 * so every replica (and every replay of the log) gives the same id for the same person
 * without coordination: two touchpoints of one new identity never create two customers.
 */
export function customerIdFor(identity: ChannelIdentity): string {
  return uuidv5(identityKey(identity), CUSTOMER_NAMESPACE);
}

export function customerStreamId(customerId: string): string {
  return `customer-${customerId}`;
}
