import {
  type ChannelIdentity,
  type CustomerProfile,
  customerAnsweringFor,
  customerOfIdentity,
  customerProfileOf,
  type IdentityActivity,
  type IdentityGraph,
  identityKey,
  identityKeysOf,
  resolveCustomer,
  singleIdentityProfile,
  timelineBucketsOf,
  type TimelinePage,
  type TimelineQuery,
  unionOfPages,
} from '@rapport/domain';
import { type TimelineAsOf } from './log-as-of';

/**
 * What a timeline read model keeps per identity (entries are filed under one identity and
 * never move), read as of a log position. Each adapter gives this view of its own storage;
 * the functions below answer the timeline queries as of a position with it and the
 * identity graph of that position, the same way for every adapter.
 */
export interface FiledTimelineEntries {
  /** One page of the entries filed under the identity at positions ≤ `upTo` (same order and cursors as a page). */
  pageOf(identityKey: string, query: TimelineQuery, upTo: number): Promise<TimelinePage>;
  /** What the entries filed under the identity at positions ≤ `upTo` add up to; undefined when none. */
  activityOf(identityKey: string, upTo: number): Promise<IdentityActivity | undefined>;
  /** Whether any entry filed under the identity is at a position ≤ `upTo`. */
  hasEntryUpTo(identityKey: string, upTo: number): Promise<boolean>;
  /** The customer the identity's first entry was filed for (its stream's customer). */
  streamCustomerOf(identityKey: string): Promise<string | null>;
  /** The identity whose entries a customer's stream started with. */
  streamIdentityOf(customerId: string): Promise<ChannelIdentity | null>;
}

/*
 * A customer the graph of that position does not know (identity resolution had not decided
 * on its first touchpoint yet, or a log without resolution) is, as in the live model, the
 * customer its stream's identity started — from that identity's first entry on.
 */

/** One page of a customer's unified timeline as of a position: a merge after it is not applied. */
export async function timelinePageAsOf(
  filed: FiledTimelineEntries,
  asOf: TimelineAsOf,
  customerId: string,
  query: TimelineQuery,
): Promise<TimelinePage> {
  let keys = timelineBucketsOf(await asOf.graphAround([customerId]), customerId)?.identityKeys;
  if (!keys) {
    const identity = await filed.streamIdentityOf(customerId);
    const placed = identity && (await placedOwner(filed, asOf, customerId, identity));
    keys = placed
      ? (timelineBucketsOf(placed.graph, placed.owner)?.identityKeys ?? [])
      : identity
        ? [identityKey(identity)]
        : [];
  }
  const parts = await Promise.all(keys.map((key) => filed.pageOf(key, query, asOf.position)));
  if (parts.length === 0) return { items: [], nextCursor: null };
  return parts.length === 1 ? parts[0] : unionOfPages(parts, query.limit);
}

/** The customer an identity belonged to as of a position (a survivor then); null if none yet. */
export async function customerByIdentityAsOf(
  filed: FiledTimelineEntries,
  asOf: TimelineAsOf,
  key: string,
): Promise<string | null> {
  const known = customerOfIdentity(await asOf.graphAround([], [key]), key);
  if (known !== undefined) return known;
  return (await filed.hasEntryUpTo(key, asOf.position)) ? filed.streamCustomerOf(key) : null;
}

/** The customer an id stood for as of a position: itself, or its survivor then; null if unknown then. */
export async function resolveCustomerAsOf(
  filed: FiledTimelineEntries,
  asOf: TimelineAsOf,
  customerId: string,
): Promise<string | null> {
  const known = resolveCustomer(await asOf.graphAround([customerId]), customerId);
  if (known !== undefined) return known;
  const identity = await filed.streamIdentityOf(customerId);
  const placed = identity && (await placedOwner(filed, asOf, customerId, identity));
  if (placed) return placed.owner;
  return identity && (await filed.hasEntryUpTo(identityKey(identity), asOf.position))
    ? customerId
    : null;
}

/**
 * The customer an id the graph of then never met answers for, when its stream had begun by
 * then and the graph had placed the stream's identity with another customer (see
 * `customerAnsweringFor`), with the graph of then around both.
 */
async function placedOwner(
  filed: FiledTimelineEntries,
  asOf: TimelineAsOf,
  customerId: string,
  identity: ChannelIdentity,
): Promise<{ owner: string; graph: IdentityGraph } | undefined> {
  const key = identityKey(identity);
  const graph = await asOf.graphAround([customerId], [key]);
  const owner = customerAnsweringFor(graph, customerId, key);
  if (owner === customerId || owner === undefined) return undefined;
  return (await filed.hasEntryUpTo(key, asOf.position)) ? { owner, graph } : undefined;
}

/**
 * The profile as of a position: the graph of then, and counts, channels, first and last
 * contact from the entries at positions up to it — O(the customer's entries).
 */
export async function profileAsOf(
  filed: FiledTimelineEntries,
  asOf: TimelineAsOf,
  customerId: string,
): Promise<CustomerProfile | null> {
  const graph = await asOf.graphAround([customerId]);
  const root = resolveCustomer(graph, customerId);
  if (root !== undefined) {
    const keys = identityKeysOf(graph, root);
    const activities = await Promise.all(keys.map((key) => filed.activityOf(key, asOf.position)));
    const byKey = new Map(keys.map((key, i) => [key, activities[i]]));
    return customerProfileOf(graph, customerId, (key) => byKey.get(key));
  }
  const identity = await filed.streamIdentityOf(customerId);
  if (!identity) return null;
  const placed = await placedOwner(filed, asOf, customerId, identity);
  if (placed) {
    const profile = await profileAsOf(filed, asOf, placed.owner);
    return profile && { ...profile, redirectedFrom: customerId };
  }
  const activity = await filed.activityOf(identityKey(identity), asOf.position);
  return activity ? singleIdentityProfile(customerId, identity, activity) : null;
}
