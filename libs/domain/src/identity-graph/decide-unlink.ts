import { type ChannelIdentity, identityKey } from '../identity/channel-identity';
import { freshCustomerIdFor } from './fresh-customer-id';
import { type IdentityGraph } from './identity-graph';
import {
  type IdentityActor,
  type IdentityGraphEvent,
  identityUnlinked,
  optionalNote,
} from './identity-graph-events';
import { homeCustomerOfIdentity, identityOf } from './identity-graph-queries';
import { DEFAULT_IDENTITY_POLICY, type IdentityPolicy } from './identity-policy';
import { type IdentityDecision, refuse } from './identity-refusal';

/** "This identity is not that customer" (a shared family e-mail, a recycled phone number). */
export interface UnlinkIdentity {
  readonly identity: ChannelIdentity;
  readonly by: IdentityActor;
  readonly at: string;
  readonly note?: string;
}

/**
 * Takes an identity from the customer that holds it and gives it a new customer of its
 * own (a fresh deterministic id: the identity's touchpoints from now on start a new
 * timeline instead of reopening an old one). The last identity a customer holds directly
 * stays: a customer without one could never be reached again.
 */
export function decideUnlink(
  graph: IdentityGraph,
  command: UnlinkIdentity,
  _policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
): IdentityDecision<IdentityGraphEvent[]> {
  const key = identityKey(command.identity);
  const fromCustomerId = homeCustomerOfIdentity(graph, key);
  const identity = identityOf(graph, key);
  if (fromCustomerId === undefined || identity === undefined) {
    return refuse('unknown-identity', 'identity', 'the identity belongs to no customer');
  }
  if ((graph.customers.get(fromCustomerId)?.ownIdentities.length ?? 0) <= 1) {
    return refuse(
      'last-identity',
      'identity',
      `it is the last identity customer ${fromCustomerId} holds: a customer keeps at least one`,
    );
  }
  return {
    ok: true,
    value: [
      identityUnlinked({
        identity,
        fromCustomerId,
        toCustomerId: freshCustomerIdFor(graph, identity),
        by: command.by,
        at: command.at,
        reason: 'explicit-unlink',
        ...optionalNote(command.note),
      }),
    ],
  };
}
