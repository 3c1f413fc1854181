import { nameBasedUuid } from '../ids/name-based-uuid';
import { type ChannelIdentity, identityKey } from '../identity/channel-identity';
import { customerIdFor } from '../identity/customer-id';
import { type IdentityGraph } from './identity-graph';

/** The ids of customers an identity starts after it was unlinked (name-based, in a fixed, random namespace). */
const restartIdOf = nameBasedUuid('d9e2b7a4-6c1f-4e83-b5a0-2f8c71d4e963');

/** The id of the `restart`-th customer (1, 2, …) an identity starts after its first. */
export function restartedCustomerIdFor(identity: ChannelIdentity, restart: number): string {
  return restartIdOf(`${identityKey(identity)}#${restart}`);
}

/**
 * The id of a new customer started by `identity`: `customerIdFor(identity)` the first time,
 * and a derived id when that one is taken — an identity unlinked from the customer it
 * started must not reopen that customer's stream. Deterministic from the graph, so every
 * replica decides the same id; the event records it, so a replay never recomputes it.
 */
export function freshCustomerIdFor(graph: IdentityGraph, identity: ChannelIdentity): string {
  let id = customerIdFor(identity);
  for (let restart = 1; graph.customers.has(id); restart++) {
    id = restartedCustomerIdFor(identity, restart);
  }
  return id;
}
