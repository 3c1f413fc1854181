import { identityKey } from '../identity/channel-identity';
import { evolve, type IdentityGraph, type IdentityRecord } from '../identity-graph/identity-graph';
import {
  customersInvolvedIn,
  type IdentityGraphEvent,
  identityMovedBy,
} from '../identity-graph/identity-graph-events';
import {
  identityKeysOf,
  mergeGroupOf,
  resolveCustomer,
} from '../identity-graph/identity-graph-queries';
import { type ClosenessFact } from './closeness-fact';

/*
 * Whose facts are whose. Facts are kept in buckets that never move: a touchpoint's filing
 * identity (`email:ann@example.com`), an idea event's customer (`customer:<id>`). The
 * identity graph says which buckets a customer has — its identities and the customers
 * merged into it — so links, merges and unmerges change a customer's facts without moving
 * one, and its closeness is the fold of its buckets' facts in log order. Both read-model
 * adapters plan their batches with these functions.
 */

const CUSTOMER_BUCKET = 'customer:';

/** The bucket of the facts filed for a customer id itself (idea events). */
export function customerBucket(customerId: string): string {
  return CUSTOMER_BUCKET + customerId;
}

function customerOfBucket(bucket: string): string | undefined {
  return bucket.startsWith(CUSTOMER_BUCKET) ? bucket.slice(CUSTOMER_BUCKET.length) : undefined;
}

/**
 * What the graph may not know yet: identity resolution runs beside the projections, so an
 * identity's first facts can arrive before its `identity.linked`. Until then the identity's
 * facts are its stream's: the customer its first fact was filed for.
 */
export interface ClosenessStreams {
  /** The customer an identity bucket's first fact was filed for. */
  customerOfStream(bucket: string): string | undefined;
  /** The identity bucket a customer id's own facts were first filed under. */
  streamOfCustomer(customerId: string): string | undefined;
}

/** The surviving customer whose facts a bucket's are now; undefined when nothing names one. */
export function ownerOfBucket(
  graph: IdentityGraph,
  bucket: string,
  streams: ClosenessStreams,
): string | undefined {
  // `unplacedStreamCustomer`, then `customerOfIdentity`, with one look-up of the identity
  // (this runs for every fact of a batch).
  let customer = customerOfBucket(bucket);
  let record: IdentityRecord | undefined;
  if (customer === undefined) {
    record = graph.identities.get(bucket);
    if (record === undefined) customer = streams.customerOfStream(bucket);
  }
  if (customer === undefined) return record && resolveCustomer(graph, record.homeCustomerId);
  return resolveCustomer(graph, customer) ?? customer;
}

/**
 * The buckets whose facts are a surviving customer's, or null when the id is merged into
 * another (whose buckets hold its facts now). Consistent with `ownerOfBucket`: every bucket
 * listed here has this customer as its owner.
 */
export function bucketsOfCustomer(
  graph: IdentityGraph,
  customerId: string,
  streams: ClosenessStreams,
): string[] | null {
  const root = resolveCustomer(graph, customerId);
  if (root !== undefined && root !== customerId) return null;
  const group = root === undefined ? [customerId] : mergeGroupOf(graph, root);
  const buckets = root === undefined ? [] : identityKeysOf(graph, root);
  for (const member of group) {
    buckets.push(customerBucket(member));
    const stream = streams.streamOfCustomer(member);
    if (stream !== undefined && unplacedStreamCustomer(graph, stream, streams) === member)
      buckets.push(stream);
  }
  return buckets;
}

/** The customer of an identity bucket the graph has not placed yet (its stream's customer). */
function unplacedStreamCustomer(
  graph: IdentityGraph,
  bucket: string,
  streams: ClosenessStreams,
): string | undefined {
  return graph.identities.has(bucket) ? undefined : streams.customerOfStream(bucket);
}

/** What a batch changes, planned before anything is read beyond the graph and the streams. */
export interface ClosenessBatchPlan {
  /** The graph after the batch's identity events. */
  readonly graph: IdentityGraph;
  /**
   * Customers whose buckets the identity events changed (or who may have been merged away):
   * each is folded again from all its buckets' facts, or dropped when `bucketsOfCustomer`
   * gives null or its buckets hold no fact.
   */
  readonly refold: ReadonlySet<string>;
  /** The batch's facts by owner, for the owners not refolded: applied to the state they had. */
  readonly appendTo: ReadonlyMap<string, ClosenessFact[]>;
  /** Identity buckets first seen in this batch, with their stream's customer. */
  readonly newStreams: ReadonlyMap<string, string>;
  /** Customers whose own facts were first filed in this batch, with that identity bucket. */
  readonly newCustomerStreams: ReadonlyMap<string, string>;
  /** The streams as they are after the batch (the given ones and `newStreams`). */
  readonly streams: ClosenessStreams;
}

/**
 * Plans a batch: folds its identity events into `graph` (which must hold every record they
 * and the batch's buckets touch — the whole graph, or the part an adapter loaded), notes
 * which customers they change, and assigns the facts (in log order) to their owners after
 * the batch. The result depends only on the graph, the streams and the batch, so every
 * adapter — and a rebuild — computes the same scores.
 */
export function planClosenessBatch(
  graph: IdentityGraph,
  identityEvents: readonly IdentityGraphEvent[],
  facts: readonly ClosenessFact[],
  streams: ClosenessStreams,
): ClosenessBatchPlan {
  const newStreams = new Map<string, string>();
  const newStreamOfCustomer = new Map<string, string>();
  for (const fact of facts) {
    if (customerOfBucket(fact.bucket) !== undefined) continue;
    if (newStreams.has(fact.bucket) || streams.customerOfStream(fact.bucket) !== undefined)
      continue;
    newStreams.set(fact.bucket, fact.customerId);
    if (
      !newStreamOfCustomer.has(fact.customerId) &&
      streams.streamOfCustomer(fact.customerId) === undefined
    )
      newStreamOfCustomer.set(fact.customerId, fact.bucket);
  }
  const after: ClosenessStreams = {
    customerOfStream: (bucket) => newStreams.get(bucket) ?? streams.customerOfStream(bucket),
    streamOfCustomer: (id) => newStreamOfCustomer.get(id) ?? streams.streamOfCustomer(id),
  };

  const refold = new Set<string>();
  let folded = graph;
  for (const event of identityEvents) {
    const before = folded;
    folded = evolve(folded, event);
    for (const id of touchedBy(before, event, folded, after)) refold.add(id);
  }

  const appendTo = new Map<string, ClosenessFact[]>();
  for (const fact of facts) {
    const owner = ownerOfBucket(folded, fact.bucket, after) as string;
    if (refold.has(owner)) continue;
    let list = appendTo.get(owner);
    if (!list) appendTo.set(owner, (list = []));
    list.push(fact);
  }
  return {
    graph: folded,
    refold,
    appendTo,
    newStreams,
    newCustomerStreams: newStreamOfCustomer,
    streams: after,
  };
}

/** Every customer whose buckets may differ after the event: those it names, before and after. */
function touchedBy(
  before: IdentityGraph,
  event: IdentityGraphEvent,
  after: IdentityGraph,
  streams: ClosenessStreams,
): string[] {
  const touched: (string | undefined)[] = [];
  for (const id of customersInvolvedIn(event))
    touched.push(id, resolveCustomer(before, id), resolveCustomer(after, id));
  const moved = identityMovedBy(event);
  if (moved) {
    const key = identityKey(moved);
    touched.push(ownerOfBucket(before, key, streams), ownerOfBucket(after, key, streams));
  }
  return touched.filter((id): id is string => id !== undefined);
}

/** The customers that may hold a batch's facts or be changed by it: what an adapter loads. */
export function closenessBatchReach(
  identityEvents: readonly IdentityGraphEvent[],
  facts: readonly ClosenessFact[],
): { customerIds: string[]; identityKeys: string[] } {
  const customerIds = new Set<string>();
  const identityKeys = new Set<string>();
  for (const event of identityEvents) {
    for (const id of customersInvolvedIn(event)) customerIds.add(id);
    const moved = identityMovedBy(event);
    if (moved) identityKeys.add(identityKey(moved));
  }
  for (const fact of facts) {
    const customer = customerOfBucket(fact.bucket);
    if (customer !== undefined) customerIds.add(customer);
    else identityKeys.add(fact.bucket);
    customerIds.add(fact.customerId);
  }
  return { customerIds: [...customerIds], identityKeys: [...identityKeys] };
}
