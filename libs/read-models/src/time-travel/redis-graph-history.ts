import { LRUCache } from 'lru-cache';
import {
  type CustomerRecord,
  customerPairKey,
  customersInvolvedIn,
  evolve,
  IDENTITY_GRAPH_STREAM,
  type IdentityGraph,
  type IdentityGraphEvent,
  identityGraphEventFrom,
  identityKey,
  identityMovedBy,
  type IdentityRecord,
  IdentityGraphEventTypes,
} from '@rapport/domain';
import { type EventStore, type RecordedEvent } from '@rapport/event-store';
import { FollowedDecisions } from './followed-decisions';
import {
  connectRedis,
  isRedisClusterUrl,
  parseRedisReadModelsUrl,
  type RedisConnection,
} from '../backends/redis/redis-connection';
import { type GraphRecords, loadGraph } from '../backends/redis/redis-identity-graph';
import { DEFAULT_REDIS_PREFIX, slotPrefix } from '../backends/redis/redis-keys';

/** Decisions folded per read of the stream (and per pipeline of writes). */
const CHUNK = 500;

export interface RedisGraphHistoryOptions {
  /** The read models' prefix; the history's keys are `<prefix>{graph-history}:…`. */
  readonly prefix?: string;
  /**
   * How many records' versions are kept in process, the most recently used (default
   * 10,000; `RAPPORT_TIME_TRAVEL_RECORDS`). One that is not is read from Redis.
   */
  readonly cachedRecords?: number;
}

/**
 * The identity graph as of any log position, kept in Redis instead of in process: every
 * version of every record — customer, identity, kept-apart pair — under the revision of the
 * `identity-graph` decision that wrote it, and the log position of each decision. The
 * graph as of a position is then read around the customers asked about (the walk of
 * `loadGraphAround`: chains of survivors, whole merge groups, their identities, the other
 * sides of their merge suggestions, which of them were kept apart), each record as its
 * latest version at or before the decision count of then. Memory in process: the LRU of
 * record versions and of positions resolved, whatever the size of the log
 * (docs/decisions/0042-time-travel-graph-history-in-redis.md).
 *
 * Written by whichever process follows the stream: it folds the decisions after the last
 * one folded (`folded`), each chunk on the part of the graph it names, read as of the
 * chunk's start — so versions another process wrote for later decisions are not read —
 * and writes the versions each decision changed before moving `folded`. Every process
 * folds the same decisions into the same versions (`evolve` is pure), so two that fold at
 * once, or one that died half-way, write nothing that differs.
 */
export class RedisGraphHistory {
  private readonly space: string;
  /** `<kind>:<revision>:<name>` → the record's latest version then (ABSENT: none). */
  private readonly cached: LRUCache<string, object | symbol>;
  /** log position → decisions at or before it (never changes once covered). */
  private readonly revisions = new LRUCache<number, number>({ max: 1024 });
  /** How far the decisions are folded into Redis. */
  private readonly followed: FollowedDecisions;
  /** Decisions this process knows are folded (at least), and how many were identity events. */
  private folded = 0;
  private eventCount = 0;

  constructor(
    private readonly redis: RedisConnection,
    private readonly store: EventStore,
    options: RedisGraphHistoryOptions = {},
    private readonly owned = false,
  ) {
    this.space = slotPrefix(options.prefix ?? DEFAULT_REDIS_PREFIX, 'graph-history');
    this.cached = new LRUCache({ max: Math.max(1, options.cachedRecords ?? 10_000) });
    this.followed = new FollowedDecisions(store, () => this.readOn());
  }

  /** How many identity decisions are folded into Redis, as far as this process knows. */
  get decisions(): number {
    return this.folded;
  }

  /** Closes the connection when the history opened it (`openRedisGraphHistory`). */
  async close(): Promise<void> {
    if (this.owned) await this.redis.quit();
  }

  /** How many records' versions are held in process now (at most `cachedRecords`). */
  get recordsHeld(): number {
    return this.cached.size;
  }

  /**
   * How many decisions the graph as of `position` folds (the history's revision of then).
   * Throws a RangeError for a position past the log's head.
   */
  async revisionAt(position: number): Promise<number> {
    await this.followed.cover(position);
    const known = this.revisions.get(position);
    if (known !== undefined) return known;
    const [last] = await this.redis.zrevrangebyscore(
      this.key('positions'),
      position,
      '-inf',
      'LIMIT',
      0,
      1,
    );
    const revision = last === undefined ? 0 : Number(last);
    this.revisions.set(position, revision);
    return revision;
  }

  /**
   * The graph after `revision` decisions, around these customers and identities (see the
   * class); `keptApart` holds every pair of the customers it holds that was kept apart then.
   */
  async graphAround(
    revision: number,
    customerIds: readonly string[],
    identityKeys: readonly string[] = [],
  ): Promise<IdentityGraph> {
    const records = this.recordsAsOf(revision);
    const walk = { down: true, ownIdentities: true } as const;
    let graph = await loadGraph(records, customerIds, identityKeys, walk);
    const others = [...graph.customers.values()]
      .flatMap((c) => c.mergeSuggestions.flatMap((s) => [s.survivorId, s.mergedId]))
      .filter((id) => !graph.customers.has(id));
    if (others.length > 0)
      graph = await loadGraph(records, [...customerIds, ...others], identityKeys, walk);
    const ids = [...graph.customers.keys()];
    const partners = await this.keptApartFrom(ids, revision);
    let keptApart = graph.keptApart;
    ids.forEach((id, i) => {
      for (const other of partners[i] ?? [])
        if (graph.customers.has(other)) keptApart = keptApart.set(customerPairKey(id, other), true);
    });
    return { ...graph, keptApart };
  }

  /** Reads and folds into Redis the decisions appended since. */
  private async readOn(): Promise<void> {
    const [revisions, events] = ((await this.redis.get(this.key('folded'))) ?? '0:0')
      .split(':')
      .map(Number);
    let folded = this.folded;
    let eventCount = this.eventCount;
    if (revisions > folded) [folded, eventCount] = [revisions, events];
    for (;;) {
      const chunk = await this.store.readStream(IDENTITY_GRAPH_STREAM, {
        fromRevision: folded,
        maxCount: CHUNK,
      });
      const fresh = chunk.filter((recorded) => recorded.revision >= folded);
      if (fresh.length > 0) {
        eventCount = await this.foldChunk(folded, eventCount, fresh);
        folded += fresh.length;
        [this.folded, this.eventCount] = [folded, eventCount];
      }
      if (chunk.length < CHUNK) break;
    }
  }

  /**
   * Folds decisions `from` + 1 … on the part of the graph they name, as of `from`, and
   * writes each record every decision changed as its version at that decision's revision.
   */
  private async foldChunk(
    from: number,
    eventCount: number,
    chunk: readonly RecordedEvent[],
  ): Promise<number> {
    const decisions = chunk.map(identityGraphEventFrom);
    const present = decisions.filter((d): d is IdentityGraphEvent => d !== null);
    const moved = present.flatMap((d) => {
      const identity = identityMovedBy(d);
      return identity ? [identityKey(identity)] : [];
    });
    const base = this.recordsAsOf(from, eventCount, false);
    let graph = await loadGraph(base, present.flatMap(customersInvolvedIn), moved, {
      down: false,
      ownIdentities: false,
    });
    const pipeline = this.redis.pipeline();
    decisions.forEach((decision, i) => {
      const revision = from + i + 1;
      pipeline.zadd(this.key('positions'), chunk[i].position, String(revision));
      if (!decision) return;
      const before = graph;
      graph = evolve(graph, decision);
      // What `evolve` may change: the customers the decision names, the survivor a merged
      // one left, the identity it places and the customer that identity left.
      const involved = customersInvolvedIn(decision);
      const customers = new Set(involved);
      for (const id of involved) {
        const left = before.customers.get(id)?.mergedInto;
        if (left !== undefined) customers.add(left);
      }
      const placed = identityMovedBy(decision);
      const key = placed && identityKey(placed);
      if (key !== undefined) {
        const home = before.identities.get(key)?.homeCustomerId;
        if (home !== undefined) customers.add(home);
        const record = graph.identities.get(key);
        if (record && record !== before.identities.get(key))
          pipeline.zadd(this.key('i', key), revision, `${revision}|${JSON.stringify(record)}`);
      }
      for (const id of customers) {
        const record = graph.customers.get(id);
        if (record && record !== before.customers.get(id))
          pipeline.zadd(this.key('c', id), revision, `${revision}|${JSON.stringify(record)}`);
      }
      if (decision.type === IdentityGraphEventTypes.customerUnmerged) {
        const { survivorId, mergedId } = decision.data;
        pipeline.zadd(this.key('k', survivorId), revision, `${revision}|${mergedId}`);
        pipeline.zadd(this.key('k', mergedId), revision, `${revision}|${survivorId}`);
      }
    });
    const to = from + chunk.length;
    // After the versions: a process that reads `folded` finds every version up to it.
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    await this.redis.set(this.key('folded'), `${to}:${graph.eventCount}`);
    return graph.eventCount;
  }

  /** The records as they were after `revision` decisions (one pipeline per step of a walk). */
  private recordsAsOf(revision: number, eventCount = 0, cache = true): GraphRecords {
    return {
      identities: (keys) => this.latestOf<IdentityRecord>('i', keys, revision, cache),
      customers: (ids) => this.latestOf<CustomerRecord>('c', ids, revision, cache),
      eventCount: () => Promise.resolve(eventCount),
    };
  }

  /**
   * Each record's latest version at or before `revision`: from the LRU, or one
   * ZREVRANGEBYSCORE each in a pipeline (a version is never written again differently, so
   * what a revision reads never changes).
   */
  private async latestOf<T>(
    kind: string,
    names: readonly string[],
    revision: number,
    cache: boolean,
  ): Promise<(T | undefined)[]> {
    const out: (T | undefined)[] = new Array(names.length);
    const missing: number[] = [];
    names.forEach((name, i) => {
      const hit = cache ? this.cached.get(`${kind}:${revision}:${name}`) : undefined;
      if (hit !== undefined) out[i] = (hit === ABSENT ? undefined : hit) as T | undefined;
      else missing.push(i);
    });
    if (missing.length === 0) return out;
    const pipeline = this.redis.pipeline();
    for (const i of missing)
      pipeline.zrevrangebyscore(this.key(kind, names[i]), revision, '-inf', 'LIMIT', 0, 1);
    const replies = (await pipeline.exec()) ?? [];
    missing.forEach((i, n) => {
      const [error, raw] = replies[n];
      if (error) throw error;
      const member = (raw as string[])[0];
      const value =
        member === undefined ? undefined : (JSON.parse(member.slice(member.indexOf('|') + 1)) as T);
      if (cache) this.cached.set(`${kind}:${revision}:${names[i]}`, value ?? ABSENT);
      out[i] = value;
    });
    return out;
  }

  /** The customers each one was kept apart from by `revision` (an unmerge is never undone). */
  private async keptApartFrom(ids: readonly string[], revision: number): Promise<string[][]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.zrangebyscore(this.key('k', id), '-inf', revision);
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, raw]) => {
      if (error) throw error;
      return (raw as string[]).map((member) => member.slice(member.indexOf('|') + 1));
    });
  }

  private key(kind: string, name?: string): string {
    return name === undefined ? `${this.space}${kind}` : `${this.space}${kind}:${name}`;
  }
}

/**
 * The history beside the read models a URL names (`RAPPORT_READ_MODELS`), on a connection
 * of its own; undefined where they are not in Redis (the graph is then folded in process).
 */
export function openRedisGraphHistory(
  readModelsUrl: string,
  store: EventStore,
  options: Omit<RedisGraphHistoryOptions, 'prefix'> = {},
): RedisGraphHistory | undefined {
  const url = readModelsUrl;
  if (!url.startsWith('redis://') && !url.startsWith('rediss://') && !isRedisClusterUrl(url))
    return undefined;
  const { prefix } = parseRedisReadModelsUrl(url);
  return new RedisGraphHistory(connectRedis(url), store, { ...options, prefix }, true);
}

/** What the LRU keeps for a record that had no version yet. */
const ABSENT = Symbol('absent');
