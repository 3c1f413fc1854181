import { checkpointOfWrittenModel } from '../checkpoint-of-written-model';
import { type RedisConnection } from '../redis-connection';
import { LRUCache } from 'lru-cache';
import {
  CHANNELS,
  DIRECTIONS,
  EventNames,
  type CustomerErasedV1,
  type Channel,
  type ChannelIdentity,
  type CustomerProfile,
  type CustomerRecord,
  customerProfileOf,
  encodeCursor,
  type IdentityActivity,
  type IdentityGraphEvent,
  identityKey,
  identityKeysOf,
  matchesTimelineFilter,
  mergeGroupOf,
  resolveCustomer,
  singleIdentityProfile,
  timelineBucketsOf,
  type TimelineCursor,
  type TimelineEntry,
  type TimelinePage,
  type TimelineQuery,
  unionOfPages,
  type SeenName,
  type QueuedMergeSuggestion,
} from '@rapport/domain';
import { type NameMatch } from '../../../names/customer-names';
import { RedisNameIndex } from '../../../names/redis-name-index';
import { RedisSuggestionQueue } from '../../../merge-suggestions/redis-suggestion-queue';
import { type CheckpointRange } from '../../../projection/checkpoint';
import { type TimelineAsOf } from '../../../time-travel/log-as-of';
import {
  customerByIdentityAsOf,
  type FiledTimelineEntries,
  profileAsOf,
  resolveCustomerAsOf,
  timelinePageAsOf,
} from '../../../time-travel/timeline-as-of';
import {
  type TimelinePersonalData,
  type TimelineReadModel,
} from '../../../timeline/timeline-read-model';
import { FencedBatchScript } from '../fenced-batch-script';
import { packStrings, StringPacker } from '../packed-strings';
import {
  foldIdentityEvents,
  graphWrites,
  loadGraphAround,
  redisGraphRecords,
  survivorIn,
  survivorOfIdentityIn,
  type GraphWrites,
} from '../redis-identity-graph';
import { DEFAULT_REDIS_PREFIX, type TimelineKeys, timelineKeys } from '../redis-keys';
import { type RedisFence } from '../redis-lease';
import { readLua } from '../redis-script';
import { unlinkKeysStartingWith } from '../unlink-keys';
import { BoundedSet } from './bounded-set';
import { WrittenGraph } from './written-graph';

export interface RedisTimelineReadModelOptions {
  /** Every key lives under it, so a rebuild can fill `rapport:v2:` beside the live model. */
  readonly prefix?: string;
  /** When set, `apply` writes only while `fence.key` holds `fence.token`. */
  readonly fence?: RedisFence;
  /**
   * How many identities the writer remembers having set the stream fields of, and how many
   * it remembers having set the plain value of (default `DEFAULT_IDENTITIES_REMEMBERED`
   * each). One it forgot is set again by its next batch, with the same values: the bound
   * costs bytes, never correctness.
   */
  readonly identitiesRemembered?: number;
  /**
   * How many entries a timeline holds before it gets filter indexes (default
   * `DEFAULT_INDEX_FROM`); until then a filtered page reads it whole. A property of the
   * stored layout: every writer of a model must use the same value.
   */
  readonly indexFrom?: number;
}

/**
 * A filtered page of a timeline this short reads all of it (some 30 kB); most people's
 * timelines are, and a rebuild writes no index member for them (docs/read-models.md).
 */
export const DEFAULT_INDEX_FROM = 64;

/** About 100 bytes each: a rebuild's writer keeps at most some 10 MB of each set of them. */
export const DEFAULT_IDENTITIES_REMEMBERED = 100_000;

/** What a timeline can be filtered by, each with an index per identity (see `timelineBy`). */
type FilterDimension = 'channel' | 'direction' | 'type';

/**
 * Every value an index can have, for an erasure to delete them all without a scan: the
 * domain's channels, directions and the event names `toTimelineEntry` files.
 */
const INDEXED_TYPES = [EventNames.touchpointRecorded, EventNames.surveyResponded];
const INDEXED_VALUES: readonly (readonly [FilterDimension, string])[] = [
  ...CHANNELS.map((c) => ['channel', c] as const),
  ...DIRECTIONS.map((d) => ['direction', d] as const),
  ...INDEXED_TYPES.map((t) => ['type', t] as const),
];

/** Log positions are stored zero-padded, so entries of the same millisecond sort by position. */
const POSITION_DIGITS = 16;
/** Largest chunk a page reads at once: bounds a reply while a sparse filter scans far back. */
const MAX_CHUNK = 1000;

// KEYS and ARGV: see timeline-apply.lua.
const APPLY = new FencedBatchScript('timeline', readLua(__dirname, 'timeline-apply.lua'));

/**
 * The timeline in Redis. Entries are filed per identity (the touchpoint's primary one):
 * a sorted set scored by occurredAt (ms) whose members are the zero-padded log position
 * followed by the entry JSON, so ties in time order by position and a page is read with no
 * second lookup; beside it a hash of counts per channel. The identity graph is kept as
 * hashes of the domain's records (customers, identities), folded by the domain's `evolve`.
 * A customer's timeline is the union of the sets of its merge group's identities: merges,
 * unmerges and links never move an entry. `apply` is one Lua script, so a batch, its
 * graph changes and the checkpoint move together or not at all.
 */
export class RedisTimelineReadModel implements TimelineReadModel {
  readonly prefix: string;
  private readonly fence: RedisFence | undefined;
  private readonly keys: TimelineKeys;
  private readonly names: RedisNameIndex;
  private readonly suggestions: RedisSuggestionQueue;
  /**
   * Buckets whose identity and stream-identity fields this instance has written, in
   * batches that all succeeded one after the other since it last read the checkpoint: a
   * long rebuild sets each of them once instead of once per batch. Forgotten on any
   * failed batch and whenever the checkpoint is read (the runner's start, resume, check).
   */
  private readonly identitiesWritten: BoundedSet;
  /**
   * Identities whose plain value this instance has set in the directory, forgotten as
   * `identitiesWritten` is. A person writes again and again, and each touchpoint set the same
   * field again: on the ingest path that was about 3 µs of Node and Redis per touchpoint.
   */
  private readonly plainIdentitiesWritten: BoundedSet;
  /**
   * Moves whenever this instance forgets what it wrote (an erasure, a checkpoint read, a
   * failed batch, `clear`): a batch in flight meanwhile marks nothing written, as what it
   * would mark may just have been deleted.
   */
  private generation = 0;
  private readonly indexFrom: number;
  /**
   * Buckets seen with every entry in their type indexes and more than `indexFrom` entries.
   * Once so, always (the script indexes every entry it adds to such a timeline); a shorter
   * one is checked each time, and one filed before the indexes were kept is not, until rebuilt.
   */
  private readonly indexedBuckets = new LRUCache<string, true>({ max: 100_000 });
  /** The whole graph, while this instance has written all of it since the model was empty. */
  private readonly writtenGraph = new WrittenGraph();
  /** Settles once the last batch `apply` was called with has been sent to Redis. */
  private sent: Promise<void> = Promise.resolve();
  /**
   * `apply` may be called before the previous call settled: batches go out in call order.
   * Why one: docs/decisions/0020-redis-batches-as-one-packed-argument.md.
   */
  readonly maxInFlight = 1;

  constructor(
    private readonly redis: RedisConnection,
    options: RedisTimelineReadModelOptions = {},
  ) {
    this.prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.fence = options.fence;
    this.keys = timelineKeys(this.prefix);
    this.indexFrom = options.indexFrom ?? DEFAULT_INDEX_FROM;
    this.identitiesWritten = new BoundedSet(
      options.identitiesRemembered ?? DEFAULT_IDENTITIES_REMEMBERED,
    );
    this.plainIdentitiesWritten = new BoundedSet(
      options.identitiesRemembered ?? DEFAULT_IDENTITIES_REMEMBERED,
    );
    // In the timeline's slot: written beside its batches, read with its graph.
    this.names = new RedisNameIndex(redis, this.keys.space);
    this.suggestions = new RedisSuggestionQueue(redis, this.keys.space, this.keys.graph);
  }

  async checkpoint(): Promise<number> {
    // Whoever asks is about to (re)start from Redis's own state: trust nothing remembered.
    this.forgetWritten();
    const g = this.keys.graph;
    return checkpointOfWrittenModel(
      this.redis,
      this.keys.checkpoint,
      [g.customers, g.identities, g.pairs, g.eventCount],
      this.writtenGraph,
    );
  }

  async apply(
    entries: readonly TimelineEntry[],
    range: CheckpointRange,
    identityEvents: readonly IdentityGraphEvent[] = [],
    personal: TimelinePersonalData = {},
  ): Promise<void> {
    // Packed at once, so that the batch's strings are garbage soon; packed again below in the
    // rare case that the writer forgot meanwhile.
    const packedIn = this.generation;
    let { timelines, filedNow } = this.packEntries(entries);
    const { erasures = [] } = personal;
    let plainIdentities = new Map<string, string>();
    let sentIn = packedIn;
    // Batches go out in call order (the runner may call again before this one settled):
    // this one's graph is read once the one before was sent — Redis runs a connection's
    // commands in order, so the read sees that batch's writes — and its script follows.
    const turn = this.sent;
    let handedOver!: () => void;
    this.sent = new Promise((resolve) => (handedOver = resolve));
    let applied: Promise<void>;
    let plainWritten: Promise<unknown> | undefined;
    let namesWritten: Promise<unknown> | undefined;
    let queueWritten: Promise<unknown> | undefined;
    try {
      await turn;
      // What this batch leaves out is decided now that the batches before it were sent: one
      // of them may have been an erasure, which deleted what the writer remembered.
      if (this.generation !== packedIn) ({ timelines, filedNow } = this.packEntries(entries));
      sentIn = this.generation;
      plainIdentities = this.plainIdentitiesUnwritten(personal.plainIdentities);
      // Idempotent (the same values on every replay): written ahead of the batch's script.
      if (plainIdentities.size)
        plainWritten = this.redis.hset(this.keys.plainIdentities, plainIdentities);
      if (personal.names?.size) namesWritten = this.names.apply(personal.names);
      queueWritten = this.suggestions.apply(identityEvents);
      if (personal.unerased?.length)
        await this.redis.srem(this.keys.erasedCustomers, ...personal.unerased);
      // Deleted before the script moves the checkpoint past the erasure (the projection
      // applies an erasure alone): a crash in between erases again on the replay.
      if (erasures.length > 0) await this.erase(erasures);
      const kept = this.writtenGraph.recordsFor(range.after);
      let graph: GraphWrites | null = null;
      if (identityEvents.length > 0) {
        const part = await foldIdentityEvents(
          kept ?? redisGraphRecords(this.redis, this.keys.graph),
          identityEvents,
        );
        if (kept) this.writtenGraph.folding(part, range.upTo);
        graph = graphWrites(part);
      } else this.writtenGraph.moved(range.after, range.upTo);
      const changes: string[] = [];
      for (const records of [graph?.customers, graph?.identities, graph?.pairs]) {
        changes.push(String(records?.length ?? 0));
        for (const [field, value] of records ?? []) changes.push(field, value);
      }
      changes.push(graph ? String(graph.eventCount) : '');
      const args = [
        ...FencedBatchScript.leadingArgs(range, this.fence),
        timelines,
        packStrings(changes),
        this.keys.timeline(''),
        this.keys.activity(''),
        this.keys.perIdentity[2], // the filter indexes' (see `timelineBy`)
        String(this.indexFrom),
      ];
      // Issued before this returns; in order even where Redis lost its script cache.
      applied = APPLY.apply(this.redis, this.ownKeys(), args, range, this.fence, {
        inOrder: true,
      });
    } finally {
      handedOver();
    }
    try {
      await Promise.all([applied, plainWritten, namesWritten, queueWritten]);
    } catch (error) {
      this.forgetWritten();
      this.writtenGraph.forget();
      throw error;
    }
    if (this.generation !== sentIn) return;
    for (const bucket of filedNow) this.identitiesWritten.add(bucket);
    for (const key of plainIdentities.keys()) this.plainIdentitiesWritten.add(key);
  }

  /** The plain values of `seen` this instance has not set since it last forgot. */
  private plainIdentitiesUnwritten(
    seen: ReadonlyMap<string, string> | undefined,
  ): Map<string, string> {
    const unwritten = new Map<string, string>();
    for (const [key, value] of seen ?? [])
      if (!this.plainIdentitiesWritten.has(key)) unwritten.set(key, value);
    return unwritten;
  }

  private forgetWritten(): void {
    this.generation += 1;
    this.identitiesWritten.clear();
    this.plainIdentitiesWritten.clear();
  }

  async page(customerId: string, query: TimelineQuery, asOf?: TimelineAsOf): Promise<TimelinePage> {
    if (asOf) return timelinePageAsOf(this.filed, asOf, customerId, query);
    const buckets = await this.bucketKeysOf(customerId);
    const parts = await Promise.all(buckets.map((b) => this.pageOfBucket(b, query)));
    if (parts.length === 0) return { items: [], nextCursor: null };
    return parts.length === 1 ? parts[0] : unionOfPages(parts, query.limit);
  }

  async customerByIdentity(key: string, asOf?: TimelineAsOf): Promise<string | null> {
    if (asOf) return customerByIdentityAsOf(this.filed, asOf, key);
    const customer =
      (await survivorOfIdentityIn(this.redis, this.keys.graph, key)) ??
      (await this.redis.hget(this.keys.streamCustomers, key));
    return customer !== null && (await this.isErased(customer)) ? null : customer;
  }

  async resolveCustomer(customerId: string, asOf?: TimelineAsOf): Promise<string | null> {
    if (asOf) return resolveCustomerAsOf(this.filed, asOf, customerId);
    const resolved = await this.resolveLive(customerId);
    return resolved !== null && (await this.isErased(resolved)) ? null : resolved;
  }

  private async resolveLive(customerId: string): Promise<string | null> {
    const resolved = await survivorIn(this.redis, this.keys.graph, customerId);
    if (resolved !== undefined) return resolved;
    const raw = await this.redis.hget(this.keys.streamIdentities, customerId);
    return raw ? ((await this.ownerOfStream(raw)) ?? customerId) : null;
  }

  /**
   * The customer a stream's identity (JSON, as stored) belongs to now, when the graph has
   * placed it: an id the graph never met (a touchpoint's filing identity's own id, when
   * resolution linked the identity to another customer) answers for that customer.
   */
  private ownerOfStream(rawIdentity: string): Promise<string | undefined> {
    const key = identityKey(JSON.parse(rawIdentity) as ChannelIdentity);
    return survivorOfIdentityIn(this.redis, this.keys.graph, key);
  }

  async profile(customerId: string, asOf?: TimelineAsOf): Promise<CustomerProfile | null> {
    if (asOf) return profileAsOf(this.filed, asOf, customerId);
    if (await this.isErased((await this.resolveLive(customerId)) ?? customerId)) return null;
    let graph = await loadGraphAround(this.redis, this.keys.graph, [customerId], {
      keptApart: true,
    });
    const root = resolveCustomer(graph, customerId);
    if (root !== undefined) {
      // The other sides of its merge suggestions, to tell which are still open.
      const others = mergeGroupOf(graph, root).flatMap((id) =>
        (graph.customers.get(id)?.mergeSuggestions ?? []).flatMap((s) => [
          s.survivorId,
          s.mergedId,
        ]),
      );
      if (others.length)
        graph = await loadGraphAround(this.redis, this.keys.graph, [root, ...others], {
          keptApart: true,
        });
      const buckets = identityKeysOf(graph, root);
      const activities = await this.activitiesOf(buckets);
      return customerProfileOf(graph, customerId, (key) => activities.get(key));
    }
    const raw = await this.redis.hget(this.keys.streamIdentities, customerId);
    if (!raw) return null;
    const owner = await this.ownerOfStream(raw);
    if (owner !== undefined && owner !== customerId) {
      const ownerProfile = await this.profile(owner);
      if (ownerProfile) return { ...ownerProfile, redirectedFrom: customerId };
    }
    const identity = JSON.parse(raw) as ChannelIdentity;
    const activities = await this.activitiesOf([identityKey(identity)]);
    return singleIdentityProfile(customerId, identity, activities.get(identityKey(identity)));
  }

  /**
   * Deletes this model's keys — the checkpoint and the graph in one command first, so an
   * interrupted clear leaves a model at 0 with no graph, which is rebuilt (a member added
   * again is neither stored nor counted twice), never a model that claims a position it
   * lost entries of. Only this layout's keys: a lease stored under the same prefix, or a
   * nested `rapport:v2:` rebuild under `rapport:`, is left alone.
   */
  private async erase(erasures: readonly CustomerErasedV1[]): Promise<void> {
    const keys = erasures.flatMap((e) => e.identityKeys);
    const ids = erasures.flatMap((e) => e.erasedCustomerIds);
    this.generation += 1;
    for (const key of keys) {
      this.identitiesWritten.delete(key);
      this.plainIdentitiesWritten.delete(key);
    }
    await this.names.erase(keys);
    await this.suggestions.erase(ids);
    const pipeline = this.redis.pipeline();
    for (const key of keys)
      pipeline.unlink(
        this.keys.timeline(key),
        this.keys.activity(key),
        ...INDEXED_VALUES.map(([dimension, value]) => this.keys.timelineBy(dimension, value, key)),
      );
    if (keys.length) pipeline.hdel(this.keys.plainIdentities, ...keys);
    if (keys.length) pipeline.hdel(this.keys.streamCustomers, ...keys);
    if (ids.length) pipeline.hdel(this.keys.streamIdentities, ...ids);
    if (ids.length) pipeline.sadd(this.keys.erasedCustomers, ...ids);
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
  }

  private async isErased(customerId: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.erasedCustomers, customerId)) === 1;
  }

  async plainIdentities(keys: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (keys.length === 0) return found;
    const values = await this.redis.hmget(this.keys.plainIdentities, ...keys);
    keys.forEach((key, i) => {
      const value = values[i];
      if (value !== null) found.set(key, value);
    });
    return found;
  }

  async namesOf(identityKeys: readonly string[]): Promise<Map<string, SeenName>> {
    return this.names.namesOf(identityKeys);
  }

  async searchNames(prefix: string, limit: number): Promise<NameMatch[]> {
    return this.names.search(prefix, limit);
  }

  async openMergeSuggestions(limit: number): Promise<QueuedMergeSuggestion[]> {
    return this.suggestions.read(limit, (id) => this.isErased(id));
  }

  async clear(): Promise<void> {
    this.forgetWritten();
    this.indexedBuckets.clear();
    this.writtenGraph.forget();
    await this.names.clear();
    await this.suggestions.clear();
    await this.redis.unlink(
      ...this.ownKeys(),
      this.keys.plainIdentities,
      this.keys.erasedCustomers,
    );
    for (const start of this.keys.perIdentity) await unlinkKeysStartingWith(this.redis, start);
  }

  private async bucketKeysOf(customerId: string): Promise<string[]> {
    // The common case in one round trip: a customer in no merge holds its buckets itself.
    const [rawCustomer, rawStream] = await Promise.all([
      this.redis.hget(this.keys.graph.customers, customerId),
      this.redis.hget(this.keys.streamIdentities, customerId),
    ]);
    if (rawCustomer) {
      const record = JSON.parse(rawCustomer) as CustomerRecord;
      if (record.mergedInto === undefined && record.mergedCustomers.length === 0)
        return [...record.ownIdentities];
      const graph = await loadGraphAround(this.redis, this.keys.graph, [customerId]);
      return timelineBucketsOf(graph, customerId)?.identityKeys ?? [];
    }
    if (!rawStream) return [];
    const owner = await this.ownerOfStream(rawStream);
    if (owner !== undefined && owner !== customerId) return this.bucketKeysOf(owner);
    return [identityKey(JSON.parse(rawStream) as ChannelIdentity)];
  }

  private async activitiesOf(buckets: readonly string[]): Promise<Map<string, IdentityActivity>> {
    const pipeline = this.redis.pipeline();
    for (const bucket of buckets) {
      pipeline.hgetall(this.keys.activity(bucket));
      pipeline.zrange(this.keys.timeline(bucket), 0, 0, 'WITHSCORES');
      pipeline.zrange(this.keys.timeline(bucket), -1, -1, 'WITHSCORES');
    }
    const replies = ((await pipeline.exec()) ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    });
    const activities = new Map<string, IdentityActivity>();
    buckets.forEach((bucket, i) => {
      const counts = replies[3 * i] as Record<string, string>;
      const oldest = replies[3 * i + 1] as string[];
      const newest = replies[3 * i + 2] as string[];
      if (oldest.length === 0) return;
      const perChannel = Object.fromEntries(
        Object.entries(counts).map(([channel, n]) => [channel, Number(n)]),
      );
      activities.set(bucket, {
        perChannel,
        first: occurredAtOf(oldest[0]),
        last: occurredAtOf(newest[0]),
      });
    });
    return activities;
  }

  /** The sorted sets as time travel reads them: only entries at positions up to a given one. */
  private readonly filed: FiledTimelineEntries = {
    pageOf: (bucket, query, upTo) => this.pageOfBucket(bucket, query, upTo),
    activityOf: (bucket, upTo) => this.activityUpTo(bucket, upTo),
    hasEntryUpTo: async (bucket, upTo) => {
      let found = false;
      await this.eachMemberOldestFirst(bucket, (position) => {
        found = position <= upTo;
        return !found; // stop at the first one
      });
      return found;
    },
    streamCustomerOf: (bucket) => this.redis.hget(this.keys.streamCustomers, bucket),
    streamIdentityOf: async (customerId) => {
      const raw = await this.redis.hget(this.keys.streamIdentities, customerId);
      return raw === null ? null : (JSON.parse(raw) as ChannelIdentity);
    },
  };

  /** What the bucket's entries at positions ≤ `upTo` add up to: one pass over its sorted set. */
  private async activityUpTo(bucket: string, upTo: number): Promise<IdentityActivity | undefined> {
    const perChannel: Partial<Record<Channel, number>> = {};
    let first: string | undefined;
    let last: string | undefined;
    await this.eachMemberOldestFirst(bucket, (position, member) => {
      if (position > upTo) return true;
      const { channel, occurredAt } = JSON.parse(member.slice(POSITION_DIGITS)) as TimelineEntry;
      perChannel[channel] = (perChannel[channel] ?? 0) + 1;
      first ??= occurredAt;
      last = occurredAt;
      return true;
    });
    return first === undefined || last === undefined ? undefined : { perChannel, first, last };
  }

  /**
   * Visits a bucket's members oldest first, in chunks, until `visit` returns false. An entry
   * appended meanwhile (late, so it sorts among those read) shifts the rest by one: a
   * member is then seen again and skipped by its position, never missed.
   */
  private async eachMemberOldestFirst(
    bucket: string,
    visit: (position: number, member: string) => boolean,
  ): Promise<void> {
    const key = this.keys.timeline(bucket);
    const seen = new Set<number>();
    for (let start = 0; ; start += MAX_CHUNK) {
      const members = await this.redis.zrange(key, start, start + MAX_CHUNK - 1);
      for (const member of members) {
        const position = Number(member.slice(0, POSITION_DIGITS));
        if (seen.has(position)) continue;
        seen.add(position);
        if (!visit(position, member)) return;
      }
      if (members.length < MAX_CHUNK) return;
    }
  }

  /**
   * One page of a bucket; with `upTo`, of its entries at positions up to it only. A filter
   * reads the index of one of its dimensions — when several are filtered, the one with the
   * fewest entries — and checks the others on the entries read: a filter that matches
   * nothing reads nothing. Dates are a range of the score, so they need no index.
   */
  private async pageOfBucket(
    bucket: string,
    query: TimelineQuery,
    upTo = Infinity,
  ): Promise<TimelinePage> {
    const main = this.keys.timeline(bucket);
    const filters: (readonly [FilterDimension, readonly string[]])[] = [];
    if (query.types) filters.push(['type', query.types]);
    if (query.channels) filters.push(['channel', query.channels]);
    if (query.directions) filters.push(['direction', query.directions]);
    if (filters.length === 0 || !(await this.isIndexed(bucket)))
      return this.pageOfKey(main, query, upTo);
    let [dimension, values] = filters[0];
    if (filters.length > 1) {
      const pipeline = this.redis.pipeline();
      for (const [d, vs] of filters)
        for (const v of vs) pipeline.zcard(this.keys.timelineBy(d, v, bucket));
      const counts = ((await pipeline.exec()) ?? []).map(([error, n]) => {
        if (error) throw error;
        return n as number;
      });
      let fewest = Infinity;
      for (const [d, vs] of filters) {
        const total = counts.splice(0, vs.length).reduce((sum, n) => sum + n, 0);
        if (total < fewest) [fewest, dimension, values] = [total, d, vs];
      }
    }
    // An entry has one value per dimension: the values' pages are disjoint.
    const parts = await Promise.all(
      [...new Set(values)].map((value) =>
        this.pageOfKey(this.keys.timelineBy(dimension, value, bucket), query, upTo, (read) =>
          this.entriesAt(main, read),
        ),
      ),
    );
    return parts.length === 1 ? parts[0] : unionOfPages(parts, query.limit);
  }

  /**
   * Whether the bucket's indexes hold all its entries: its type indexes add up to its
   * timeline (each entry has one type). Not so for a timeline of `indexFrom` entries or
   * fewer (none are indexed, unless an earlier layout did), nor for a model projected before
   * the indexes were kept: their filtered pages read the timeline.
   */
  private async isIndexed(bucket: string): Promise<boolean> {
    if (this.indexedBuckets.has(bucket)) return true;
    const transaction = this.redis.multi().zcard(this.keys.timeline(bucket));
    for (const type of INDEXED_TYPES) transaction.zcard(this.keys.timelineBy('type', type, bucket));
    const [all, ...typed] = ((await transaction.exec()) ?? []).map(([error, n]) => {
      if (error) throw error;
      return n as number;
    });
    const indexed = typed.reduce((sum, n) => sum + n, 0) === all;
    if (indexed && all > this.indexFrom) this.indexedBuckets.set(bucket, true);
    return indexed;
  }

  /**
   * The entries an index's members name, from the bucket's timeline, in one round trip: each
   * by its score (its millisecond, usually that one entry) and its position. An entry erased
   * since the index was read is undefined.
   */
  private async entriesAt(
    timeline: string,
    read: readonly IndexedRead[],
  ): Promise<(TimelineEntry | undefined)[]> {
    if (read.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const { score } of read) pipeline.zrange(timeline, score, score, 'BYSCORE');
    const replies = (await pipeline.exec()) ?? [];
    return read.map(({ member }, i) => {
      const [error, members] = replies[i];
      if (error) throw error;
      const found = (members as string[]).find((m) => m.startsWith(member));
      return found === undefined ? undefined : parseEntry(found);
    });
  }

  /**
   * One page of a sorted set; with `upTo`, of its entries at positions up to it only. Its
   * members are the entries themselves, or — with `resolve` — an index's log positions,
   * resolved into entries chunk by chunk.
   */
  private async pageOfKey(
    key: string,
    query: TimelineQuery,
    upTo = Infinity,
    resolve?: (read: readonly IndexedRead[]) => Promise<(TimelineEntry | undefined)[]>,
  ): Promise<TimelinePage> {
    const min = query.from ? String(Date.parse(query.from)) : '-inf';
    // Read only entries strictly older than `bound`: the cursor or `to`, whichever is older.
    let bound: TimelineCursor | undefined = query.cursor;
    if (query.to) {
      const to = { occurredAtMs: Date.parse(query.to), position: 0 };
      if (!bound || isOlder(to, bound)) bound = to;
    }
    // Through an index, only the other dimensions' filters (and `upTo`) skip entries read.
    const filters = [query.channels, query.directions, query.types].filter(Boolean).length;
    const filtered = filters > (resolve ? 1 : 0) || upTo < Infinity;
    // Common case in one round trip: the page, one more to know whether more exist, and
    // the cursor's own entry, which is skipped. A filter reads ahead, then doubles.
    const wanted = query.limit + 1 + (query.cursor ? 1 : 0);
    let count = Math.min(filtered ? 4 * wanted : wanted, MAX_CHUNK);
    // Where a chunk starts: at score `max`, past the `offset` members of that millisecond
    // already read. Resuming by (score, offset) rather than by a global offset keeps
    // entries appended meanwhile from shifting the read; they have the highest positions,
    // so at worst a member is read again, and skipped as not older than `lastRead`.
    let max =
      bound === undefined
        ? '+inf'
        : bound.position > 0
          ? String(bound.occurredAtMs)
          : `(${bound.occurredAtMs}`; // positions are ≥ 1: position 0 excludes the whole ms
    let offset = 0;
    let lastRead: TimelineCursor | undefined;
    const items: TimelineEntry[] = [];
    for (;;) {
      const reply = await this.redis.zrange(
        key,
        max,
        min,
        'BYSCORE',
        'REV',
        'LIMIT',
        offset,
        count,
        'WITHSCORES',
      );
      const readBefore = lastRead;
      let ties = 0; // members of this chunk in the millisecond of its last one
      const kept: IndexedRead[] = [];
      for (let i = 0; i < reply.length; i += 2) {
        const member = reply[i];
        const read = {
          occurredAtMs: Number(reply[i + 1]),
          position: Number(member.slice(0, POSITION_DIGITS)),
        };
        ties = lastRead?.occurredAtMs === read.occurredAtMs ? ties + 1 : 1;
        lastRead = read;
        // The cursor entry itself, or newer ones of its millisecond; or read before.
        if (bound && !isOlder(read, bound)) continue;
        if (readBefore && !isOlder(read, readBefore)) continue;
        if (read.position > upTo) continue; // after the position asked for (time travel)
        kept.push({ member, score: reply[i + 1] });
      }
      const entries = resolve ? await resolve(kept) : kept.map(({ member }) => parseEntry(member));
      for (const entry of entries) {
        if (!entry || !matchesTimelineFilter(entry, query)) continue;
        if (items.length === query.limit) {
          return { items, nextCursor: encodeCursor(items[items.length - 1]) };
        }
        items.push(entry);
      }
      if (!lastRead || reply.length < 2 * count) return { items, nextCursor: null };
      const lastMs = String(lastRead.occurredAtMs);
      // A chunk all in the millisecond it started in moves the offset on; any other
      // chunk resumes at the millisecond it ended in.
      offset = lastMs === max ? offset + ties : ties;
      max = lastMs;
      count = Math.min(2 * count, MAX_CHUNK);
    }
  }

  /**
   * The script's first packed argument for a batch of entries: grouped by timeline and
   * channel, each entry's direction and type for its indexes, and the identity fields of
   * buckets this writer has not set yet. Synchronous, so that the batch's strings are
   * garbage as soon as they are packed.
   */
  private packEntries(entries: readonly TimelineEntry[]): {
    timelines: Buffer;
    filedNow: Set<string>;
  } {
    // bucket → its channels' entries: [channel, entries, channel, entries, …]
    const byTimeline = new Map<string, (string | TimelineEntry[])[]>();
    const identities: string[] = [];
    const streamIdentities: string[] = [];
    const filedNow = new Set<string>();
    for (const entry of entries) {
      const bucket = identityKey(entry.identity);
      let channels = byTimeline.get(bucket);
      if (!channels) byTimeline.set(bucket, (channels = []));
      let filed: TimelineEntry[] | undefined;
      for (let i = 0; i < channels.length; i += 2)
        if (channels[i] === entry.channel) filed = channels[i + 1] as TimelineEntry[];
      if (!filed) channels.push(entry.channel, (filed = []));
      filed.push(entry);
      // The customer of the identity's stream: a function of the identity, so set once per
      // bucket, and not again by a batch after one of ours that set it.
      if (!filedNow.has(bucket) && !this.identitiesWritten.has(bucket)) {
        filedNow.add(bucket);
        identities.push(bucket, entry.customerId);
        streamIdentities.push(entry.customerId, JSON.stringify(identityOnly(entry.identity)));
      }
    }
    // Each member is encoded once, straight into the packed argument (no member string).
    const packed = new StringPacker(entries.length * 600);
    packed.push(String(byTimeline.size));
    for (const [bucket, channels] of byTimeline) {
      packed.push(bucket);
      packed.push(String(channels.length / 2));
      for (let i = 0; i < channels.length; i += 2) {
        const filed = channels[i + 1] as TimelineEntry[];
        packed.push(channels[i] as string);
        packed.push(String(filed.length));
        for (const entry of filed) {
          packed.push(String(scoreOf(entry)));
          packed.pushJoined(positionPrefixOf(entry), JSON.stringify(entry));
        }
        for (const entry of filed) {
          packed.push(entry.direction);
          packed.push(entry.type);
        }
      }
    }
    for (const hash of [identities, streamIdentities]) {
      packed.push(String(hash.length / 2));
      for (const value of hash) packed.push(value);
    }
    return { timelines: packed.finish(), filedNow };
  }

  /** The model's keys besides the per-identity ones, checkpoint first (as the script takes them). */
  private ownKeys(): string[] {
    const { checkpoint, streamCustomers, streamIdentities, graph } = this.keys;
    return [
      checkpoint,
      streamCustomers,
      streamIdentities,
      graph.customers,
      graph.identities,
      graph.pairs,
      graph.eventCount,
    ];
  }
}

/** A member read from a timeline or an index, with its score as Redis replied it. */
interface IndexedRead {
  /** A timeline's member (position then entry), or an index's (the position only). */
  readonly member: string;
  readonly score: string;
}

function parseEntry(member: string): TimelineEntry {
  return JSON.parse(member.slice(POSITION_DIGITS)) as TimelineEntry;
}

function occurredAtOf(member: string): string {
  return (JSON.parse(member.slice(POSITION_DIGITS)) as TimelineEntry).occurredAt;
}

function identityOnly(identity: ChannelIdentity): ChannelIdentity {
  return identity.network === undefined
    ? { kind: identity.kind, value: identity.value }
    : { kind: identity.kind, value: identity.value, network: identity.network };
}

function scoreOf(entry: TimelineEntry): number {
  const ms = Date.parse(entry.occurredAt);
  // Checked before the script runs: a ZADD that fails half-way would keep the half.
  if (!Number.isFinite(ms))
    throw new RangeError(`entry ${entry.eventId}: occurredAt is not a time`);
  return ms;
}

/** A member is this, then the entry's JSON: entries of the same millisecond sort by position. */
function positionPrefixOf(entry: TimelineEntry): string {
  if (!Number.isSafeInteger(entry.position) || entry.position < 0)
    throw new RangeError(
      `entry ${entry.eventId}: position ${entry.position} is not a log position`,
    );
  return String(entry.position).padStart(POSITION_DIGITS, '0');
}

/** True when `a` comes after `b` in timeline order (older, or same time and lower position). */
function isOlder(a: TimelineCursor, b: TimelineCursor): boolean {
  return (
    a.occurredAtMs < b.occurredAtMs ||
    (a.occurredAtMs === b.occurredAtMs && a.position < b.position)
  );
}
