import {
  type CustomerErasedV1,
  type Channel,
  type ChannelIdentity,
  type CustomerProfile,
  compareNewestFirst,
  customerAnsweringFor,
  customerOfIdentity,
  customerProfileOf,
  EMPTY_IDENTITY_GRAPH,
  encodeCursor,
  evolve,
  type IdentityActivity,
  type IdentityGraph,
  type IdentityGraphEvent,
  identityKey,
  matchesTimelineFilter,
  singleIdentityProfile,
  timelineBucketsOf,
  type TimelineEntry,
  type TimelinePage,
  type TimelineQuery,
  unionOfPages,
  type SeenName,
  type QueuedMergeSuggestion,
} from '@rapport/domain';
import { type NameMatch } from '../../names/customer-names';
import { MemoryNameIndex } from '../../names/memory-name-index';
import { MemorySuggestionQueue } from '../../merge-suggestions/memory-suggestion-queue';
import { CheckpointMismatchError, type CheckpointRange } from '../../projection/checkpoint';
import { type TimelineAsOf } from '../../time-travel/log-as-of';
import {
  customerByIdentityAsOf,
  type FiledTimelineEntries,
  profileAsOf,
  resolveCustomerAsOf,
  timelinePageAsOf,
} from '../../time-travel/timeline-as-of';
import {
  type TimelinePersonalData,
  type TimelineReadModel,
} from '../../timeline/timeline-read-model';

interface StoredEntry {
  readonly occurredAtMs: number;
  readonly position: number;
  readonly entry: TimelineEntry;
}

/** The entries filed under one identity, and what they add up to. */
interface Bucket {
  /** Sorted oldest → newest, so appends (the common case) push at the end. */
  readonly list: StoredEntry[];
  readonly perChannel: Partial<Record<Channel, number>>;
}

/**
 * Timelines in process memory: per identity an array kept sorted oldest → newest, so a
 * page is a binary search plus a walk; the identity graph as the domain folds it.
 */
export class MemoryTimelineReadModel implements TimelineReadModel {
  private readonly buckets = new Map<string, Bucket>();
  /** identity key → the customer its first touchpoints were filed for (its stream's customer). */
  private readonly streamCustomers = new Map<string, string>();
  /** that customer → its identity, for a customer the graph has not met yet. */
  private readonly streamIdentities = new Map<string, ChannelIdentity>();
  private graph: IdentityGraph = EMPTY_IDENTITY_GRAPH;
  private position = 0;
  private readonly plain = new Map<string, string>();
  /** Customers forgotten: they answer as unknown (the graph, pseudonymous, still holds them). */
  private readonly erased = new Set<string>();
  private readonly names = new MemoryNameIndex();
  private readonly suggestions = new MemorySuggestionQueue();

  async checkpoint(): Promise<number> {
    return this.position;
  }

  async apply(
    entries: readonly TimelineEntry[],
    range: CheckpointRange,
    identityEvents: readonly IdentityGraphEvent[] = [],
    personal: TimelinePersonalData = {},
  ): Promise<void> {
    if (range.after !== this.position)
      throw new CheckpointMismatchError('timeline', range.after, this.position);
    for (const [key, value] of personal.plainIdentities ?? []) this.plain.set(key, value);
    if (personal.names) this.names.apply(personal.names);
    for (const id of personal.unerased ?? []) this.erased.delete(id);
    for (const entry of entries) {
      const key = identityKey(entry.identity);
      this.insert(key, entry);
      if (!this.streamCustomers.has(key)) {
        this.streamCustomers.set(key, entry.customerId);
        this.streamIdentities.set(entry.customerId, identityOnly(entry.identity));
      }
    }
    for (const event of identityEvents) this.graph = evolve(this.graph, event);
    this.suggestions.apply(identityEvents);
    for (const erasure of personal.erasures ?? []) this.erase(erasure);
    this.position = range.upTo;
  }

  async page(customerId: string, query: TimelineQuery, asOf?: TimelineAsOf): Promise<TimelinePage> {
    if (asOf) return timelinePageAsOf(this.filed, asOf, customerId, query);
    const parts = this.bucketKeysOf(customerId).map((key) => this.pageOfBucket(key, query));
    return parts.length === 1 ? parts[0] : unionOfPages(parts, query.limit);
  }

  async customerByIdentity(key: string, asOf?: TimelineAsOf): Promise<string | null> {
    if (asOf) return customerByIdentityAsOf(this.filed, asOf, key);
    const customer = customerOfIdentity(this.graph, key) ?? this.streamCustomers.get(key) ?? null;
    return customer !== null && this.erased.has(customer) ? null : customer;
  }

  async resolveCustomer(customerId: string, asOf?: TimelineAsOf): Promise<string | null> {
    if (asOf) return resolveCustomerAsOf(this.filed, asOf, customerId);
    const customer = this.answeringFor(customerId) ?? null;
    return customer !== null && this.erased.has(customer) ? null : customer;
  }

  /**
   * The customer an id answers for: a merged id its survivor; an id the graph never met,
   * the customer its identity belongs to (a touchpoint's filing identity's own id, when
   * resolution linked the identity to another customer), or itself until the graph places it.
   */
  private answeringFor(customerId: string): string | undefined {
    const identity = this.streamIdentities.get(customerId);
    return customerAnsweringFor(this.graph, customerId, identity && identityKey(identity));
  }

  async profile(customerId: string, asOf?: TimelineAsOf): Promise<CustomerProfile | null> {
    if (asOf) return profileAsOf(this.filed, asOf, customerId);
    if (this.erased.has(this.answeringFor(customerId) ?? customerId)) return null;
    const activityOf = (key: string) => this.activityOf(key);
    const profile = customerProfileOf(this.graph, customerId, activityOf);
    if (profile) return profile;
    const owner = this.answeringFor(customerId);
    if (owner !== undefined && owner !== customerId) {
      const ownerProfile = customerProfileOf(this.graph, owner, activityOf);
      if (ownerProfile) return { ...ownerProfile, redirectedFrom: customerId };
    }
    const identity = this.streamIdentities.get(customerId);
    return identity
      ? singleIdentityProfile(customerId, identity, activityOf(identityKey(identity)))
      : null;
  }

  /** The identity graph as folded so far (tests compare it with a reference). */
  identityGraph(): IdentityGraph {
    return this.graph;
  }

  private erase(erasure: CustomerErasedV1): void {
    for (const key of erasure.identityKeys) {
      this.buckets.delete(key);
      this.plain.delete(key);
      this.streamCustomers.delete(key);
    }
    this.names.erase(erasure.identityKeys);
    for (const id of erasure.erasedCustomerIds) {
      this.streamIdentities.delete(id);
      this.erased.add(id);
    }
  }

  async plainIdentities(keys: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const key of keys) {
      const value = this.plain.get(key);
      if (value !== undefined) found.set(key, value);
    }
    return found;
  }

  async namesOf(identityKeys: readonly string[]): Promise<Map<string, SeenName>> {
    return this.names.namesOf(identityKeys);
  }

  async searchNames(prefix: string, limit: number): Promise<NameMatch[]> {
    return this.names.search(prefix, limit);
  }

  async openMergeSuggestions(limit: number): Promise<QueuedMergeSuggestion[]> {
    return this.suggestions.read(this.graph, (id) => this.erased.has(id), limit);
  }

  async clear(): Promise<void> {
    this.suggestions.clear();
    this.names.clear();
    this.plain.clear();
    this.erased.clear();
    this.buckets.clear();
    this.streamCustomers.clear();
    this.streamIdentities.clear();
    this.graph = EMPTY_IDENTITY_GRAPH;
    this.position = 0;
  }

  private bucketKeysOf(customerId: string): string[] {
    const known = timelineBucketsOf(this.graph, this.answeringFor(customerId) ?? customerId);
    if (known) return known.identityKeys;
    const identity = this.streamIdentities.get(customerId);
    return identity ? [identityKey(identity)] : [];
  }

  private activityOf(key: string): IdentityActivity | undefined {
    const bucket = this.buckets.get(key);
    if (!bucket || bucket.list.length === 0) return undefined;
    return {
      perChannel: { ...bucket.perChannel },
      first: bucket.list[0].entry.occurredAt,
      last: bucket.list[bucket.list.length - 1].entry.occurredAt,
    };
  }

  /** The buckets as time travel reads them: only entries at positions up to a given one. */
  private readonly filed: FiledTimelineEntries = {
    pageOf: async (key, query, upTo) => this.pageOfBucket(key, query, upTo),
    activityOf: async (key, upTo) => this.activityUpTo(key, upTo),
    hasEntryUpTo: async (key, upTo) =>
      this.buckets.get(key)?.list.some((stored) => stored.position <= upTo) ?? false,
    streamCustomerOf: async (key) => this.streamCustomers.get(key) ?? null,
    streamIdentityOf: async (customerId) => this.streamIdentities.get(customerId) ?? null,
  };

  /** What the bucket's entries at positions ≤ `upTo` add up to: one walk over the bucket. */
  private activityUpTo(key: string, upTo: number): IdentityActivity | undefined {
    const perChannel: Partial<Record<Channel, number>> = {};
    let first: string | undefined;
    let last: string | undefined;
    for (const { position, entry } of this.buckets.get(key)?.list ?? []) {
      if (position > upTo) continue;
      perChannel[entry.channel] = (perChannel[entry.channel] ?? 0) + 1;
      first ??= entry.occurredAt; // oldest first
      last = entry.occurredAt;
    }
    return first === undefined || last === undefined ? undefined : { perChannel, first, last };
  }

  /** One page of a bucket; with `upTo`, of its entries at positions up to it only. */
  private pageOfBucket(key: string, query: TimelineQuery, upTo = Infinity): TimelinePage {
    const list = this.buckets.get(key)?.list ?? [];
    // Walk from the newest entry that is strictly older than the cursor and before `to`.
    let start = list.length - 1;
    if (query.cursor) start = Math.min(start, lastIndexOlderThan(list, query.cursor));
    if (query.to)
      start = Math.min(
        start,
        lastIndexOlderThan(list, { occurredAtMs: Date.parse(query.to), position: 0 }),
      );
    const fromMs = query.from ? Date.parse(query.from) : -Infinity;
    const items: TimelineEntry[] = [];
    let more = false;
    for (let i = start; i >= 0 && list[i].occurredAtMs >= fromMs; i -= 1) {
      if (list[i].position > upTo || !matchesTimelineFilter(list[i].entry, query)) continue;
      if (items.length === query.limit) {
        more = true;
        break;
      }
      items.push(list[i].entry);
    }
    return { items, nextCursor: more ? encodeCursor(items[items.length - 1]) : null };
  }

  private insert(key: string, entry: TimelineEntry): void {
    const stored = { occurredAtMs: Date.parse(entry.occurredAt), position: entry.position, entry };
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { list: [], perChannel: {} }));
    const list = bucket.list;
    // Oldest first: insert after every entry that is not newer than this one.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareNewestFirst(list[mid], stored) > 0) lo = mid + 1;
      else hi = mid;
    }
    if (list[lo - 1]?.position === entry.position) return; // applied before: once only
    list.splice(lo, 0, stored);
    bucket.perChannel[entry.channel] = (bucket.perChannel[entry.channel] ?? 0) + 1;
  }
}

function identityOnly(identity: ChannelIdentity): ChannelIdentity {
  return identity.network === undefined
    ? { kind: identity.kind, value: identity.value }
    : { kind: identity.kind, value: identity.value, network: identity.network };
}

/** Index of the newest entry strictly older than `key` (list sorted oldest first); -1 if none. */
function lastIndexOlderThan(
  list: readonly StoredEntry[],
  key: { occurredAtMs: number; position: number },
): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // compareNewestFirst(list[mid], key) > 0  ⇔  list[mid] is older than key.
    if (compareNewestFirst(list[mid], key) > 0) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
