import { type IdentityGraph } from '../identity-graph/identity-graph';
import { customerOfIdentity, resolveCustomer } from '../identity-graph/identity-graph-queries';

/**
 * The customer an id answers for: a merged id its survivor; an id the graph never met —
 * the own id of a touchpoint's filing identity, filed before identity resolution decided —
 * the customer that identity belongs to once the graph has placed it (resolution may have
 * linked it to another customer instead of starting this one), or itself until then.
 * Undefined when neither the graph nor a stream (`streamIdentityKey`, the identity the id's
 * own entries were filed under) knows the id.
 */
export function customerAnsweringFor(
  graph: IdentityGraph,
  customerId: string,
  streamIdentityKey: string | undefined,
): string | undefined {
  const root = resolveCustomer(graph, customerId);
  if (root !== undefined) return root;
  if (streamIdentityKey === undefined) return undefined;
  return customerOfIdentity(graph, streamIdentityKey) ?? customerId;
}
