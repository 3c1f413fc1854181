import { type Channel } from '../channels';
import { type ChannelIdentity, identityKey } from '../identity/channel-identity';
import {
  type IdentityGraph,
  type MergeRecord,
  type MergeSuggestionRecord,
} from '../identity-graph/identity-graph';
import {
  identitiesOf,
  mergeHistoryOf,
  mergedCustomersOf,
  openMergeSuggestionsOf,
  resolveCustomer,
} from '../identity-graph/identity-graph-queries';
import { type IdentityActivity } from './identity-activity';

/** `GET /v1/customers/:id`: who the customer is and how they reach us. */
export interface CustomerProfile {
  /** The surviving customer (the id asked for, unless it is merged into another). */
  readonly customerId: string;
  /** The id asked for, when it redirected to `customerId`. */
  readonly redirectedFrom?: string;
  /** Every identity: the customer's own and those of the customers merged into it, by key. */
  readonly identities: readonly ChannelIdentity[];
  readonly mergedCustomers: readonly string[];
  /** Channels with at least one touchpoint, sorted by name. */
  readonly channels: readonly Channel[];
  readonly touchpointsPerChannel: Readonly<Partial<Record<Channel, number>>>;
  readonly touchpoints: number;
  readonly firstContact: string | null;
  readonly lastContact: string | null;
  readonly mergeHistory: readonly MergeRecord[];
  readonly openMergeSuggestions: readonly MergeSuggestionRecord[];
}

/**
 * Where a customer's timeline entries are filed: one bucket per identity (the touchpoint's
 * primary identity), so a merge, an unmerge or a link never moves an entry — the timeline
 * of a customer is the union of the buckets of every identity of its merge group.
 * A customer the graph does not know (yet) is the customer its one identity started.
 */
export function timelineBucketsOf(
  graph: IdentityGraph,
  customerId: string,
): { customerId: string; identityKeys: string[] } | null {
  const root = resolveCustomer(graph, customerId);
  if (root === undefined) return null;
  return { customerId: root, identityKeys: identitiesOf(graph, root).map(identityKey) };
}

/** The profile of a customer, or null when the graph does not know it. */
export function customerProfileOf(
  graph: IdentityGraph,
  customerId: string,
  activityOf: (identityKey: string) => IdentityActivity | undefined,
): CustomerProfile | null {
  const root = resolveCustomer(graph, customerId);
  if (root === undefined) return null;
  const identities = identitiesOf(graph, root);
  return {
    customerId: root,
    ...(root === customerId ? {} : { redirectedFrom: customerId }),
    identities,
    mergedCustomers: mergedCustomersOf(graph, root),
    ...sumActivities(identities.map((identity) => activityOf(identityKey(identity)))),
    mergeHistory: mergeHistoryOf(graph, root),
    openMergeSuggestions: openMergeSuggestionsOf(graph, root),
  };
}

/** The profile of a customer the graph has not met yet: the one identity its touchpoints came from. */
export function singleIdentityProfile(
  customerId: string,
  identity: ChannelIdentity,
  activity: IdentityActivity | undefined,
): CustomerProfile {
  return {
    customerId,
    identities: [identity],
    mergedCustomers: [],
    ...sumActivities([activity]),
    mergeHistory: [],
    openMergeSuggestions: [],
  };
}

function sumActivities(activities: readonly (IdentityActivity | undefined)[]) {
  const perChannel: Partial<Record<Channel, number>> = {};
  let first: string | null = null;
  let last: string | null = null;
  let touchpoints = 0;
  for (const activity of activities) {
    if (!activity) continue;
    for (const [channel, count] of Object.entries(activity.perChannel) as [Channel, number][]) {
      perChannel[channel] = (perChannel[channel] ?? 0) + count;
      touchpoints += count;
    }
    if (first === null || activity.first < first) first = activity.first;
    if (last === null || activity.last > last) last = activity.last;
  }
  const channels = (Object.keys(perChannel) as Channel[]).sort();
  const touchpointsPerChannel = Object.fromEntries(channels.map((c) => [c, perChannel[c]]));
  return { channels, touchpointsPerChannel, touchpoints, firstContact: first, lastContact: last };
}
