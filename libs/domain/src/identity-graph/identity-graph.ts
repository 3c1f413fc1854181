import { type ChannelIdentity, identityKey } from '../identity/channel-identity';
import { compareStrings } from './compare-strings';
import {
  type IdentityActor,
  type IdentityGraphEvent,
  IdentityGraphEventTypes,
  type MergeReason,
  type MergeSuggestionReason,
} from './identity-graph-events';
import { PersistentMap } from './persistent-map';

/** Where an identity lives. */
export interface IdentityRecord {
  /** Kind, value and network; verification is an observation of a touchpoint, not kept here. */
  readonly identity: ChannelIdentity;
  /** The customer that holds it directly (which may itself be merged into another). */
  readonly homeCustomerId: string;
}

/** One merge or unmerge, as a customer's history shows it. */
export interface MergeRecord {
  readonly action: 'merged' | 'unmerged';
  readonly survivorId: string;
  readonly mergedId: string;
  readonly by: IdentityActor;
  readonly reason: MergeReason;
  readonly at: string;
  readonly note?: string;
  /** Number of the graph event that recorded it (0-based): orders records across customers. */
  readonly sequence: number;
}

export interface MergeSuggestionRecord {
  readonly survivorId: string;
  readonly mergedId: string;
  readonly evidence: readonly ChannelIdentity[];
  readonly reason: MergeSuggestionReason;
  readonly by: IdentityActor;
  readonly at: string;
  readonly sequence: number;
  /** A staff member dismissed it: no longer open. */
  readonly dismissed?: { readonly by: IdentityActor; readonly at: string; readonly note?: string };
}

export interface CustomerRecord {
  readonly id: string;
  /** Number of the graph event that created the customer: the smaller, the older. */
  readonly since: number;
  /** Keys of the identities this customer holds directly, in the order they were linked. */
  readonly ownIdentities: readonly string[];
  /** The customer this one redirects to, while merged. */
  readonly mergedInto?: string;
  /** Customers merged directly into this one (each may hold merged customers of its own). */
  readonly mergedCustomers: readonly string[];
  readonly mergeHistory: readonly MergeRecord[];
  readonly mergeSuggestions: readonly MergeSuggestionRecord[];
}

/**
 * The identity graph: an immutable value, folded from identity events by `evolve`.
 *
 * Merging never moves identities: the merged customer keeps its own and redirects to the
 * survivor. That is what makes an unmerge exact — removing the redirect gives back what
 * the merged customer held, while identities linked after the merge went to the
 * survivor (where touchpoints landed) and stay there.
 */
export interface IdentityGraph {
  readonly identities: PersistentMap<IdentityRecord>;
  readonly customers: PersistentMap<CustomerRecord>;
  /** Unordered customer pairs a staff member unmerged: never merged again automatically. */
  readonly keptApart: PersistentMap<true>;
  /** Unordered customer pairs already suggested for a merge: suggested once, not on every touchpoint. */
  readonly suggestedPairs: PersistentMap<true>;
  /** How many events have been applied. */
  readonly eventCount: number;
}

export const EMPTY_IDENTITY_GRAPH: IdentityGraph = Object.freeze({
  identities: PersistentMap.empty<IdentityRecord>(),
  customers: PersistentMap.empty<CustomerRecord>(),
  keptApart: PersistentMap.empty<true>(),
  suggestedPairs: PersistentMap.empty<true>(),
  eventCount: 0,
});

/** The key of an unordered pair of customers. */
export function customerPairKey(a: string, b: string): string {
  return compareStrings(a, b) <= 0 ? `${a}|${b}` : `${b}|${a}`;
}

/**
 * The graph after one event. Total: the log is the truth, so an event that does not fit
 * (which the deciders never produce) is applied as well as it can be, never thrown at.
 */
export function evolve(graph: IdentityGraph, event: IdentityGraphEvent): IdentityGraph {
  const sequence = graph.eventCount;
  const next = { ...graph, eventCount: sequence + 1 };
  switch (event.type) {
    case IdentityGraphEventTypes.identityLinked: {
      const { identity, customerId } = event.data;
      return placeIdentity(next, identity, customerId, sequence);
    }
    case IdentityGraphEventTypes.identityUnlinked: {
      const { identity, toCustomerId } = event.data;
      return placeIdentity(next, identity, toCustomerId, sequence);
    }
    case IdentityGraphEventTypes.customerMerged: {
      const { survivorId, mergedId, by, reason, at, note } = event.data;
      const record = mergeRecord('merged', survivorId, mergedId, by, reason, at, note, sequence);
      let customers = detachFromSurvivor(next.customers, mergedId);
      customers = updateCustomer(customers, survivorId, sequence, (c) => ({
        ...c,
        mergedCustomers: [...c.mergedCustomers, mergedId],
        mergeHistory: [...c.mergeHistory, record],
      }));
      customers = updateCustomer(customers, mergedId, sequence, (c) => ({
        ...c,
        mergedInto: survivorId,
        mergeHistory: [...c.mergeHistory, record],
      }));
      return { ...next, customers };
    }
    case IdentityGraphEventTypes.customerUnmerged: {
      const { survivorId, mergedId, by, reason, at, note } = event.data;
      const record = mergeRecord('unmerged', survivorId, mergedId, by, reason, at, note, sequence);
      let customers = detachFromSurvivor(next.customers, mergedId);
      customers = updateCustomer(customers, survivorId, sequence, (c) => ({
        ...c,
        mergeHistory: [...c.mergeHistory, record],
      }));
      customers = updateCustomer(customers, mergedId, sequence, (c) => ({
        ...c,
        mergeHistory: [...c.mergeHistory, record],
      }));
      const keptApart = next.keptApart.set(customerPairKey(survivorId, mergedId), true);
      return { ...next, customers, keptApart };
    }
    case IdentityGraphEventTypes.customerMergeSuggested: {
      const { survivorId, mergedId, evidence, reason, by, at } = event.data;
      const record: MergeSuggestionRecord = {
        survivorId,
        mergedId,
        evidence,
        reason,
        by,
        at,
        sequence,
      };
      let customers = next.customers;
      for (const id of [survivorId, mergedId]) {
        customers = updateCustomer(customers, id, sequence, (c) => ({
          ...c,
          mergeSuggestions: [...c.mergeSuggestions, record],
        }));
      }
      const suggestedPairs = next.suggestedPairs.set(customerPairKey(survivorId, mergedId), true);
      return { ...next, customers, suggestedPairs };
    }
    case IdentityGraphEventTypes.customerMergeSuggestionDismissed: {
      const { survivorId, mergedId, by, at, note } = event.data;
      const dismissed = { by, at, ...(note === undefined ? {} : { note }) };
      let customers = next.customers;
      for (const id of [survivorId, mergedId]) {
        const customer = customers.get(id);
        if (!customer) continue;
        customers = customers.set(id, {
          ...customer,
          mergeSuggestions: customer.mergeSuggestions.map((s) =>
            s.survivorId === survivorId && s.mergedId === mergedId && !s.dismissed
              ? { ...s, dismissed }
              : s,
          ),
        });
      }
      return { ...next, customers };
    }
  }
}

/** The graph built from a log of identity events, from the empty graph or from `from`. */
export function replayIdentityGraph(
  events: Iterable<IdentityGraphEvent>,
  from: IdentityGraph = EMPTY_IDENTITY_GRAPH,
): IdentityGraph {
  let graph = from;
  for (const event of events) graph = evolve(graph, event);
  return graph;
}

function placeIdentity(
  graph: IdentityGraph,
  identity: ChannelIdentity,
  customerId: string,
  sequence: number,
): IdentityGraph {
  const key = identityKey(identity);
  const previous = graph.identities.get(key);
  let customers = graph.customers;
  if (previous) {
    if (previous.homeCustomerId === customerId) return graph;
    customers = updateCustomer(customers, previous.homeCustomerId, sequence, (c) => ({
      ...c,
      ownIdentities: c.ownIdentities.filter((k) => k !== key),
    }));
  }
  customers = updateCustomer(customers, customerId, sequence, (c) => ({
    ...c,
    ownIdentities: [...c.ownIdentities, key],
  }));
  const record: IdentityRecord = {
    identity: withoutVerification(identity),
    homeCustomerId: customerId,
  };
  return { ...graph, identities: graph.identities.set(key, record), customers };
}

/** Removes `mergedId` from the survivor it redirects to, if any (a merge or unmerge starts there). */
function detachFromSurvivor(
  customers: PersistentMap<CustomerRecord>,
  mergedId: string,
): PersistentMap<CustomerRecord> {
  const merged = customers.get(mergedId);
  const survivorId = merged?.mergedInto;
  if (!merged || survivorId === undefined) return customers;
  const survivor = customers.get(survivorId);
  const { mergedInto: _detached, ...rest } = merged;
  customers = customers.set(mergedId, rest);
  if (!survivor) return customers;
  return customers.set(survivorId, {
    ...survivor,
    mergedCustomers: survivor.mergedCustomers.filter((id) => id !== mergedId),
  });
}

/** Applies `change` to a customer, creating it first when the graph has not met it. */
function updateCustomer(
  customers: PersistentMap<CustomerRecord>,
  id: string,
  sequence: number,
  change: (customer: CustomerRecord) => CustomerRecord,
): PersistentMap<CustomerRecord> {
  const customer = customers.get(id) ?? {
    id,
    since: sequence,
    ownIdentities: [],
    mergedCustomers: [],
    mergeHistory: [],
    mergeSuggestions: [],
  };
  return customers.set(id, change(customer));
}

function mergeRecord(
  action: MergeRecord['action'],
  survivorId: string,
  mergedId: string,
  by: IdentityActor,
  reason: MergeReason,
  at: string,
  note: string | undefined,
  sequence: number,
): MergeRecord {
  return {
    action,
    survivorId,
    mergedId,
    by,
    reason,
    at,
    ...(note === undefined ? {} : { note }),
    sequence,
  };
}

/** The identity as the graph keeps it: without `verified` (a fact of one touchpoint), with `blocked` (of the identity). */
function withoutVerification(identity: ChannelIdentity): ChannelIdentity {
  const kept: ChannelIdentity =
    identity.network === undefined
      ? { kind: identity.kind, value: identity.value }
      : { kind: identity.kind, value: identity.value, network: identity.network };
  return identity.blocked === true ? { ...kept, blocked: true } : kept;
}
