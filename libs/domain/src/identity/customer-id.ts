import { rememberingNameBasedUuid } from '../ids/name-based-uuid';
import { type ChannelIdentity, identityKey } from './channel-identity';

/** Customer ids derived from identities, in a fixed, random namespace; people come back, so recent ids are remembered. */
const customerIdOfKey = rememberingNameBasedUuid('a3c1f6d2-4f0b-4c59-9d2e-5b7f1e8a6c10');

/**
 * The customer an identity first belongs to. It is derived from the normalised identity,
 * so every replica (and every replay of the log) gives the same id for the same person
 * without coordination: two touchpoints of one new identity never create two customers.
 */
export function customerIdFor(identity: ChannelIdentity): string {
  return customerIdOfKey(identityKey(identity));
}

export function customerStreamId(customerId: string): string {
  return `customer-${customerId}`;
}
