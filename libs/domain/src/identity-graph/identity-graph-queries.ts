import { type ChannelIdentity } from '../identity/channel-identity';
import { compareStrings } from './compare-strings';
import {
  type CustomerRecord,
  type IdentityGraph,
  type MergeRecord,
  type MergeSuggestionRecord,
  customerPairKey,
} from './identity-graph';

/**
 * The questions the graph answers. A merged customer's id is an alias: every query given
 * one answers for the customer it redirects to, except those named "own" or "home".
 */

export function isKnownCustomer(graph: IdentityGraph, customerId: string): boolean {
  return graph.customers.has(customerId);
}

/** The surviving customer an id stands for (itself unless merged); undefined when unknown. */
export function resolveCustomer(graph: IdentityGraph, customerId: string): string | undefined {
  let customer = graph.customers.get(customerId);
  if (!customer) return undefined;
  // Bounded so that even a log that somehow holds a merge cycle cannot hang a reader.
  for (let steps = 0; customer.mergedInto !== undefined && steps < graph.customers.size; steps++) {
    const survivor = graph.customers.get(customer.mergedInto);
    if (!survivor) return customer.id;
    customer = survivor;
  }
  return customer.mergedInto === undefined ? customer.id : leastInCycle(graph, customer.id);
}

/**
 * The survivor of a merge cycle (which the deciders never write, but a log may hold): its
 * least id, so that every member — and any part of the graph holding the cycle — agrees.
 */
function leastInCycle(graph: IdentityGraph, start: string): string {
  let least = start;
  let next = graph.customers.get(start)?.mergedInto;
  for (
    let steps = 0;
    next !== undefined && next !== start && steps < graph.customers.size;
    steps++
  ) {
    if (next < least) least = next;
    next = graph.customers.get(next)?.mergedInto;
  }
  return least;
}

/** The customer a touchpoint of this identity lands on now (its home customer, resolved). */
export function customerOfIdentity(graph: IdentityGraph, key: string): string | undefined {
  const record = graph.identities.get(key);
  return record && resolveCustomer(graph, record.homeCustomerId);
}

/** The customer that holds the identity directly: where it returns to when merges are undone. */
export function homeCustomerOfIdentity(graph: IdentityGraph, key: string): string | undefined {
  return graph.identities.get(key)?.homeCustomerId;
}

export function identityOf(graph: IdentityGraph, key: string): ChannelIdentity | undefined {
  return graph.identities.get(key)?.identity;
}

/**
 * The customer and every customer merged into it, directly or transitively: the survivor
 * first, then the merged ones in id order.
 */
export function mergeGroupOf(graph: IdentityGraph, customerId: string): string[] {
  const root = resolveCustomer(graph, customerId);
  if (root === undefined) return [];
  const merged: string[] = [];
  const pending = [...(graph.customers.get(root)?.mergedCustomers ?? [])];
  const seen = new Set<string>([root]);
  while (pending.length > 0) {
    const id = pending.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    merged.push(id);
    pending.push(...(graph.customers.get(id)?.mergedCustomers ?? []));
  }
  return [root, ...merged.sort(compareStrings)];
}

/** Every customer merged into the survivor, directly or transitively, in id order. */
export function mergedCustomersOf(graph: IdentityGraph, survivorId: string): string[] {
  return mergeGroupOf(graph, survivorId).slice(1);
}

/** Keys of every identity of the customer: the union over it and its merged customers, sorted. */
export function identityKeysOf(graph: IdentityGraph, customerId: string): string[] {
  return mergeGroupOf(graph, customerId)
    .flatMap((id) => graph.customers.get(id)?.ownIdentities ?? [])
    .sort(compareStrings);
}

/** Every identity of the customer: the union over it and its merged customers, by key. */
export function identitiesOf(graph: IdentityGraph, customerId: string): ChannelIdentity[] {
  return identityKeysOf(graph, customerId).map((key) => identityOf(graph, key) as ChannelIdentity);
}

/** Keys of the identities the customer holds directly (not through merged customers), sorted. */
export function ownIdentityKeysOf(graph: IdentityGraph, customerId: string): string[] {
  return [...(graph.customers.get(customerId)?.ownIdentities ?? [])].sort(compareStrings);
}

/** The customer this id was merged into directly, if it is merged. */
export function survivorOf(graph: IdentityGraph, customerId: string): string | undefined {
  return graph.customers.get(customerId)?.mergedInto;
}

/** Every merge and unmerge this customer took part in (as survivor or as merged), oldest first. */
export function mergeHistoryOf(graph: IdentityGraph, customerId: string): readonly MergeRecord[] {
  return graph.customers.get(customerId)?.mergeHistory ?? [];
}

/**
 * Suggestions still worth a staff member's look for this customer (or the customer it
 * redirects to): the two sides are still separate customers, nobody unmerged them, and
 * nobody dismissed the suggestion.
 */
export function openMergeSuggestionsOf(
  graph: IdentityGraph,
  customerId: string,
): MergeSuggestionRecord[] {
  const seen = new Set<number>();
  const open: MergeSuggestionRecord[] = [];
  for (const id of mergeGroupOf(graph, customerId)) {
    for (const suggestion of graph.customers.get(id)?.mergeSuggestions ?? []) {
      if (seen.has(suggestion.sequence)) continue;
      seen.add(suggestion.sequence);
      if (suggestion.dismissed) continue;
      const a = resolveCustomer(graph, suggestion.survivorId);
      const b = resolveCustomer(graph, suggestion.mergedId);
      if (a === b || areKeptApart(graph, suggestion.survivorId, suggestion.mergedId)) continue;
      open.push(suggestion);
    }
  }
  return open.sort((x, y) => x.sequence - y.sequence);
}

/**
 * Whether a staff member separated any customer of one merge group from any of the other:
 * then the two are never merged automatically again.
 */
export function areKeptApart(graph: IdentityGraph, customerA: string, customerB: string): boolean {
  if (graph.keptApart.size === 0) return false;
  const groupB = mergeGroupOf(graph, customerB);
  return mergeGroupOf(graph, customerA).some((a) =>
    groupB.some((b) => graph.keptApart.has(customerPairKey(a, b))),
  );
}

export function customerRecordOf(
  graph: IdentityGraph,
  customerId: string,
): CustomerRecord | undefined {
  return graph.customers.get(customerId);
}

/** Every customer that is not merged into another, in id order. */
export function survivingCustomers(graph: IdentityGraph): string[] {
  const ids: string[] = [];
  for (const customer of graph.customers.values()) {
    if (customer.mergedInto === undefined) ids.push(customer.id);
  }
  return ids.sort(compareStrings);
}
