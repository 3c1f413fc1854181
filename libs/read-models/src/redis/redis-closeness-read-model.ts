import { createHash } from 'node:crypto';
import { type Redis } from 'ioredis';
import stringify from 'safe-stable-stringify';
import {
  applyClosenessFact,
  bucketsOfCustomer,
  closenessBatchReach,
  customerAnsweringFor,
  type ClosenessConfig,
  type ClosenessFact,
  closenessRankKey,
  type ClosenessState,
  type ClosenessStreams,
  emptyClosenessState,
  foldClosenessFacts,
  type IdentityGraph,
  type IdentityGraphEvent,
  inLogOrder,
  mergeGroupOf,
  planClosenessBatch,
} from '@rapport/domain';
import { closenessUpTo } from '../closeness/closeness-up-to';
import {
  type ClosenessAsOf,
  type ClosenessReadModel,
  type CustomerCloseness,
  type RankedCustomer,
} from '../closeness/closeness-read-model';
import { type CheckpointRange } from '../projection/checkpoint';
import { FencedBatchScript, RedisScript } from './fenced-batch-script';
import { contactDay, contactHour } from '../closeness/quiet-hours';
import {
  graphWrites,
  loadGraphForBatch,
  redisGraphRecords,
  type RedisGraphKeys,
  redisGraphKeys,
  survivorIn,
  survivorOfIdentityIn,
} from './redis-identity-graph';
import { type RedisFence } from './redis-lease';
import { unlinkKeysStartingWith } from './unlink-keys';
import { WrittenStates } from './written-states';

export interface RedisClosenessReadModelOptions {
  readonly prefix?: string;
  /** When set, `apply` writes only while `fence.key` holds `fence.token`. */
  readonly fence?: RedisFence;
}

/*
 * KEYS: checkpoint, rank, state, last, latest, days, stream-customer, customer-stream,
 *       graph customers, graph identities, graph pairs, graph event count, then the F fact
 *       buckets, then per customer: old day, new day, old hour, new hour buckets
 *       [, fence key last]
 * ARGV: after, upTo, fence token ('' = none), latest contact ('' = none), F, C, then per
 *       hash (KEYS 7–11): m, m × (field, value), then the graph event count or '', then per
 *       fact bucket: m, m × (eventId, fact JSON), then per customer: id, rank key ('' =
 *       out of the rankings), state JSON, last contact, old day ('' = none), new day.
 * The shared checks (fence, checkpoint) come before any write. A day's entry in `days` is
 * the highest key filed under it, set once per day the batch touched (after all its moves).
 */
const APPLY_SCRIPT = `
local function batched(command, key, first, last)
  for i = first, last, 1000 do
    redis.call(command, key, unpack(ARGV, i, math.min(i + 999, last)))
  end
end
-- The days whose buckets this batch changed (bucket key -> day), indexed once at the end:
-- a day's entry is its bucket's highest key, whatever order the batch moved customers in.
local touchedDays = {}
local function indexDay(bucket, day)
  local top = redis.call('ZREVRANGE', bucket, 0, 0, 'WITHSCORES')
  if #top == 0 then redis.call('ZREM', KEYS[6], day)
  else redis.call('ZADD', KEYS[6], top[2], day) end
end
local F = tonumber(ARGV[5])
local C = tonumber(ARGV[6])
local a = 7
for h = 7, 11 do
  local m = tonumber(ARGV[a])
  if m > 0 then batched('HSET', KEYS[h], a + 1, a + 2 * m) end
  a = a + 2 * m + 1
end
if ARGV[a] ~= '' then redis.call('SET', KEYS[12], ARGV[a]) end
a = a + 1
for f = 1, F do
  local m = tonumber(ARGV[a])
  if m > 0 then batched('HSET', KEYS[12 + f], a + 1, a + 2 * m) end
  a = a + 2 * m + 1
end
for k = 1, C do
  local id = ARGV[a]
  local rank = ARGV[a + 1]
  local b = 12 + F + 4 * (k - 1)
  if ARGV[a + 4] ~= '' then
    redis.call('ZREM', KEYS[b + 1], id)
    redis.call('ZREM', KEYS[b + 3], id)
    touchedDays[KEYS[b + 1]] = ARGV[a + 4]
  end
  if rank == '' then
    redis.call('ZREM', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
  else
    redis.call('ZADD', KEYS[2], rank, id)
    redis.call('HSET', KEYS[3], id, ARGV[a + 2])
    redis.call('HSET', KEYS[4], id, ARGV[a + 3])
    redis.call('ZADD', KEYS[b + 2], rank, id)
    redis.call('ZADD', KEYS[b + 4], rank, id)
    touchedDays[KEYS[b + 2]] = ARGV[a + 5]
  end
  a = a + 6
end
for bucket, day in pairs(touchedDays) do indexDay(bucket, day) end
if ARGV[4] ~= '' then
  local previous = redis.call('GET', KEYS[5])
  if not previous or tonumber(previous) < tonumber(ARGV[4]) then
    redis.call('SET', KEYS[5], ARGV[4])
  end
end
redis.call('SET', KEYS[1], ARGV[2])
return {'ok'}
`;

/* KEYS: rank, last. ARGV: limit. The top of the ranking with each one's last contact. */
const TOP_SCRIPT = `
local page = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
if #page == 0 then return {} end
local ids = {}
for i = 1, #page, 2 do ids[#ids + 1] = page[i] end
local lasts = redis.call('HMGET', KEYS[2], unpack(ids))
local out = {}
for j = 1, #ids do
  out[#out + 1] = ids[j]; out[#out + 1] = page[2 * j]; out[#out + 1] = lasts[j] or ''
end
return out
`;

/*
 * KEYS: days, last. ARGV: boundary day, boundary hour, last contact at most, limit, day and
 * hour bucket key prefixes. The threshold walk of quiet-hours.ts, best first: every bucket
 * still to read has a bound (no entry left in it is above it: a whole day's is its highest
 * key in the index of days, read lazily; once read, the last key read), and the walk always
 * reads the next few entries of the bucket with the highest bound — 4, then 8, up to 32 at a
 * time — until no bound left can beat the limit-th best found. The hours of the boundary day
 * have no bound until read; in the boundary hour, customers seen after the bound are
 * skipped. Once the list is full, a bucket is read only down to its worst key. About half the
 * entries (and half the time) of walking each day to the bar in turn, on 1,000,000 customers.
 * (Buckets are named, not declared: one Redis node, not a cluster.)
 */
const QUIET_SCRIPT = `
local boundaryDay = tonumber(ARGV[1])
local boundaryHour = tonumber(ARGV[2])
local atMost = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local dayPrefix, hourPrefix = ARGV[5], ARGV[6]
local ids, keys, scores = {}, {}, {}
local function better(k1, id1, k2, id2)
  if k1 ~= k2 then return k1 > k2 end
  return id1 > id2
end
local function insert(id, k, score)
  if #ids >= limit and not better(k, id, keys[#ids], ids[#ids]) then return end
  local lo, hi = 1, #ids + 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if better(keys[mid], ids[mid], k, id) then lo = mid + 1 else hi = mid end
  end
  table.insert(ids, lo, id); table.insert(keys, lo, k); table.insert(scores, lo, score)
  if #ids > limit then table.remove(ids); table.remove(keys); table.remove(scores) end
end
-- Sources: buckets not read to their end, each with a bound (no entry left in it is above
-- it) and how far it was read. The boundary day's hours have no bound until read.
local sources = {}
for hour = boundaryDay * 24, boundaryHour do
  sources[#sources + 1] = { key = hourPrefix .. hour, bound = math.huge, offset = 0, size = 4, filtered = hour == boundaryHour }
end
-- Whole days before the boundary day, from the index of days by their highest key.
local page, at, from, done = {}, 1, 0, false
local function nextDay()
  while true do
    if at > #page then
      if done then return nil end
      page = redis.call('ZREVRANGE', KEYS[1], from, from + 31, 'WITHSCORES')
      from = from + 32
      at = 1
      if #page < 64 then done = true end
      if #page == 0 then return nil end
    end
    local day = tonumber(page[at])
    local highest = tonumber(page[at + 1])
    at = at + 2
    if day < boundaryDay then
      return { key = dayPrefix .. day, bound = highest, offset = 0, size = 4, filtered = false }
    end
  end
end
local pending = nextDay()
while true do
  -- The source that may hold the best entry not read yet.
  local best = 0
  for i = 1, #sources do
    if best == 0 or sources[i].bound > sources[best].bound then best = i end
  end
  local source
  if pending and (best == 0 or pending.bound >= sources[best].bound) then
    source = pending
    pending = nextDay()
  elseif best > 0 then
    source = table.remove(sources, best)
  else
    break
  end
  if #ids >= limit and source.bound < keys[#ids] then break end
  local entries
  if #ids >= limit then
    entries = redis.call('ZREVRANGEBYSCORE', source.key, '+inf', scores[#ids], 'WITHSCORES', 'LIMIT', source.offset, source.size)
  else
    entries = redis.call('ZREVRANGE', source.key, source.offset, source.offset + source.size - 1, 'WITHSCORES')
  end
  local lasts = nil
  if source.filtered and #entries > 0 then
    local chunk = {}
    for j = 1, #entries, 2 do chunk[#chunk + 1] = entries[j] end
    lasts = redis.call('HMGET', KEYS[2], unpack(chunk))
  end
  local lastKey = source.bound
  for j = 1, #entries, 2 do
    lastKey = tonumber(entries[j + 1])
    if lasts == nil or tonumber(lasts[(j + 1) / 2]) <= atMost then
      insert(entries[j], lastKey, entries[j + 1])
    end
  end
  if #entries == 2 * source.size then
    source.offset = source.offset + source.size
    source.bound = lastKey
    source.size = math.min(source.size * 2, 32)
    sources[#sources + 1] = source
  end
end
if #ids == 0 then return {} end
local lasts = redis.call('HMGET', KEYS[2], unpack(ids))
local out = {}
for j = 1, #ids do
  out[#out + 1] = ids[j]; out[#out + 1] = scores[j]; out[#out + 1] = lasts[j] or ''
end
return out
`;

const APPLY = new FencedBatchScript('closeness', APPLY_SCRIPT);
const TOP = new RedisScript(TOP_SCRIPT);
const QUIET = new RedisScript(QUIET_SCRIPT);

/**
 * Closeness in Redis: the ranking is one sorted set scored by the forward-decayed key (so
 * `ZREVRANGE` orders customers correctly at any moment), per customer the folded state and
 * last contact in hashes, and the facts in a hash per bucket (an identity, or a customer id:
 * see `closeness-membership.ts`), with the model's own copy of the identity graph that says
 * whose buckets they are. `apply` loads the part of the graph and the states the batch
 * touches, plans it with the pure domain (a merge or unmerge folds the customers it changes
 * again from all their buckets' facts), then writes every state, key, fact, graph record and
 * the checkpoint in one Lua script that first checks the checkpoint and the lease's fence —
 * atomically, or not at all.
 */
export class RedisClosenessReadModel implements ClosenessReadModel {
  readonly prefix: string;
  /** `<prefix>closeness:<configuration fingerprint>:` — every key but the checkpoint. */
  readonly space: string;
  private readonly fence: RedisFence | undefined;
  private readonly keys: {
    checkpoint: string;
    rank: string;
    state: string;
    last: string;
    latest: string;
    days: string;
    streamCustomer: string;
    customerStream: string;
  };
  private readonly graphKeys: RedisGraphKeys;
  /** The states this writer wrote, while its batches follow each other (at most 100,000). */
  private readonly written = new WrittenStates<ClosenessState | null>(100_000);

  constructor(
    private readonly redis: Redis,
    readonly config: ClosenessConfig,
    options: RedisClosenessReadModelOptions = {},
  ) {
    this.prefix = options.prefix ?? 'rapport:';
    this.fence = options.fence;
    // Keys are per configuration: other weights or another landmark start a model of their
    // own (rebuilt from the log by the projector), never a mix of two formulas.
    const version = configFingerprint(config);
    this.space = `${this.prefix}closeness:${version}:`;
    this.keys = {
      checkpoint: `${this.prefix}checkpoint:closeness:${version}`,
      rank: `${this.space}rank`,
      state: `${this.space}state`,
      last: `${this.space}last`,
      latest: `${this.space}latest`,
      days: `${this.space}days`,
      streamCustomer: `${this.space}stream-customer`,
      customerStream: `${this.space}customer-stream`,
    };
    this.graphKeys = redisGraphKeys(this.space);
  }

  /** The key holding the model's checkpoint (a blue/green switch compares versions by it). */
  get checkpointKey(): string {
    return this.keys.checkpoint;
  }

  /** The sorted set of ranking keys (the benchmark fills it directly). */
  get rankingSet(): string {
    return this.keys.rank;
  }
  /** The hash of last contacts by customer. */
  get lastContactHash(): string {
    return this.keys.last;
  }

  async checkpoint(): Promise<number> {
    return Number((await this.redis.get(this.keys.checkpoint)) ?? 0);
  }

  async apply(
    facts: readonly ClosenessFact[],
    range: CheckpointRange,
    identityEvents: readonly IdentityGraphEvent[] = [],
  ): Promise<void> {
    const reach = closenessBatchReach(identityEvents, facts);
    const known = await this.membership(reach.customerIds, reach.identityKeys);
    const plan = planClosenessBatch(known.graph, identityEvents, facts, known.streams);

    // What the plan continues from: the states it changes, and the facts it folds again.
    const refold = [...plan.refold];
    const bucketsOf = new Map<string, string[]>();
    for (const id of refold)
      bucketsOf.set(id, bucketsOfCustomer(plan.graph, id, plan.streams) ?? []);
    const ids = [...refold, ...plan.appendTo.keys()];
    // The states this writer wrote itself need not be read back (nor parsed again).
    const written = this.written.continues(range.after) ? this.written : null;
    const unread = written ? ids.filter((id) => !written.has(id)) : ids;
    const [read, kept] = await Promise.all([
      unread.length > 0 ? this.redis.hmget(this.keys.state, ...unread) : Promise.resolve([]),
      this.factsOfBuckets([...new Set([...bucketsOf.values()].flat())]),
    ]);
    const stored = new Map<string, ClosenessState | null>();
    unread.forEach((id, i) =>
      stored.set(id, read[i] ? (JSON.parse(read[i] as string) as ClosenessState) : null),
    );
    const storedState = (id: string): ClosenessState | null =>
      stored.has(id) ? (stored.get(id) as ClosenessState | null) : (written?.get(id) ?? null);
    const placed: [string, ClosenessState | null][] = [];
    const newByBucket = new Map<string, ClosenessFact[]>();
    for (const fact of facts) {
      let list = newByBucket.get(fact.bucket);
      if (!list) newByBucket.set(fact.bucket, (list = []));
      list.push(fact);
    }

    const customerOps: string[] = [];
    const customerKeys: string[] = [];
    const place = (
      customerId: string,
      before: ClosenessState | null,
      after: ClosenessState | null,
    ) => {
      placed.push([customerId, after]);
      if (before === null && after === null) return;
      const was = before?.lastContactMs ?? null;
      const last = after?.lastContactMs ?? was ?? 0;
      customerKeys.push(
        this.dayKey(contactDay(was ?? last)),
        this.dayKey(contactDay(last)),
        this.hourKey(contactHour(was ?? last)),
        this.hourKey(contactHour(last)),
      );
      customerOps.push(
        customerId,
        after === null ? '' : String(closenessRankKey(after, this.config)),
        after === null ? '' : JSON.stringify(after),
        String(last),
        was === null ? '' : String(contactDay(was)),
        String(contactDay(last)),
      );
    };
    refold.forEach((customerId) => {
      const all = (bucketsOf.get(customerId) as string[]).flatMap((bucket) => [
        ...(kept.get(bucket) ?? []),
        ...(newByBucket.get(bucket) ?? []),
      ]);
      const after =
        all.length === 0 ? null : foldClosenessFacts(customerId, inLogOrder(all), this.config);
      place(customerId, storedState(customerId), after);
    });
    [...plan.appendTo].forEach(([customerId, list]) => {
      const before = storedState(customerId);
      let state = before ?? emptyClosenessState(customerId, this.config);
      for (const fact of list) state = applyClosenessFact(state, fact, this.config).state;
      place(customerId, before, state);
    });

    let latest: number | null = null;
    for (const fact of facts)
      if (latest === null || fact.occurredAtMs > latest) latest = fact.occurredAtMs;
    const graph = identityEvents.length > 0 ? graphWrites(plan.graph) : null;
    const keys = [
      this.keys.checkpoint,
      this.keys.rank,
      this.keys.state,
      this.keys.last,
      this.keys.latest,
      this.keys.days,
      this.keys.streamCustomer,
      this.keys.customerStream,
      this.graphKeys.customers,
      this.graphKeys.identities,
      this.graphKeys.pairs,
      this.graphKeys.eventCount,
      ...[...newByBucket.keys()].map((bucket) => this.factsKey(bucket)),
      ...customerKeys,
    ];
    const args: string[] = FencedBatchScript.leadingArgs(range, this.fence);
    args.push(
      latest === null ? '' : String(latest),
      String(newByBucket.size),
      String(customerOps.length / 6),
    );
    const pushPairs = (pairs: Iterable<readonly [string, string]>) => {
      const at = args.length;
      args.push('0');
      let m = 0;
      for (const [field, value] of pairs) {
        args.push(field, value);
        m += 1;
      }
      args[at] = String(m);
    };
    pushPairs(plan.newStreams);
    pushPairs(plan.newCustomerStreams);
    pushPairs(graph?.customers ?? []);
    pushPairs(graph?.identities ?? []);
    pushPairs(graph?.pairs ?? []);
    args.push(graph ? String(graph.eventCount) : '');
    for (const list of newByBucket.values())
      pushPairs(list.map((fact): [string, string] => [fact.eventId, JSON.stringify(fact)]));
    for (const value of customerOps) args.push(value); // no spread: a big batch would overflow the stack
    try {
      await APPLY.apply(this.redis, keys, args, range, this.fence);
    } catch (error) {
      this.written.forget();
      throw error;
    }
    this.written.wrote(placed, range.upTo);
  }

  async customer(customerId: string): Promise<CustomerCloseness | null> {
    const survivor = await this.answeringFor(customerId);
    const state = await this.redis.hget(this.keys.state, survivor);
    if (!state) return null;
    const facts = await this.factsOf([survivor]);
    return {
      customerId: survivor,
      state: JSON.parse(state) as ClosenessState,
      facts: facts.get(survivor) ?? [],
    };
  }

  async top(limit: number): Promise<RankedCustomer[]> {
    const reply = (await TOP.run(
      this.redis,
      [this.keys.rank, this.keys.last],
      [limit],
    )) as string[];
    return triples(reply);
  }

  async quiet(lastContactAtMostMs: number, limit: number): Promise<RankedCustomer[]> {
    const reply = (await QUIET.run(
      this.redis,
      [this.keys.days, this.keys.last],
      [
        contactDay(lastContactAtMostMs),
        contactHour(lastContactAtMostMs),
        lastContactAtMostMs,
        limit,
        this.dayKey(''),
        this.hourKey(''),
      ],
    )) as string[];
    return triples(reply);
  }

  async customerAsOf(customerId: string, asOf: ClosenessAsOf): Promise<CustomerCloseness | null> {
    // An id's own stream names it only from its first fact on (its facts, read once).
    const own = await this.redis.hget(this.keys.customerStream, customerId);
    const ownFacts = own === null ? [] : ((await this.factsOfBuckets([own])).get(own) ?? []);
    const began = ownFacts.some((fact) => fact.position <= asOf.position);
    const survivor =
      customerAnsweringFor(asOf.graph, customerId, began ? (own as string) : undefined) ??
      customerId;
    const group = mergeGroupOf(asOf.graph, survivor);
    const streams = await this.streamsOf(group.length > 0 ? group : [survivor], []);
    const buckets = bucketsOfCustomer(asOf.graph, survivor, lookups(streams)) ?? [];
    const others = await this.factsOfBuckets(buckets.filter((bucket) => bucket !== own));
    const facts = [...others.values()].flat();
    if (own !== null && buckets.includes(own)) for (const fact of ownFacts) facts.push(fact);
    return closenessUpTo(survivor, facts, asOf.position, this.config);
  }

  async contactedAfter(afterMs: number, max: number): Promise<string[] | null> {
    const from = contactDay(afterMs);
    const days = (await this.redis.zrange(this.keys.days, 0, -1))
      .map(Number)
      .filter((day) => day >= from);
    if (days.length === 0) return [];
    const counts = await Promise.all(days.map((day) => this.redis.zcard(this.dayKey(day))));
    const later = counts.reduce((sum, n, i) => (days[i] > from ? sum + n : sum), 0);
    if (later > max) return null;
    const members = (
      await Promise.all(days.map((day) => this.redis.zrange(this.dayKey(day), 0, -1)))
    ).flat();
    const lasts = await this.redis.hmget(this.keys.last, ...members);
    const found = members.filter((_, i) => Number(lasts[i]) > afterMs);
    return found.length > max ? null : found;
  }

  async factsOf(customerIds: readonly string[]): Promise<Map<string, ClosenessFact[]>> {
    const out = new Map<string, ClosenessFact[]>();
    if (customerIds.length === 0) return out;
    const known = await this.membership(customerIds, []);
    const bucketsOf = customerIds.map(
      (id) => bucketsOfCustomer(known.graph, id, known.streams) ?? [],
    );
    const facts = await this.factsOfBuckets([...new Set(bucketsOf.flat())]);
    customerIds.forEach((id, i) =>
      out.set(id, inLogOrder(bucketsOf[i].flatMap((bucket) => facts.get(bucket) ?? []))),
    );
    return out;
  }

  async latestContactMs(): Promise<number | null> {
    const latest = await this.redis.get(this.keys.latest);
    return latest === null ? null : Number(latest);
  }

  /** Deletes this model's keys, the checkpoint first (an interrupted clear is rebuilt). */
  async clear(): Promise<void> {
    this.written.forget();
    await this.redis.unlink(this.keys.checkpoint);
    await unlinkKeysStartingWith(this.redis, this.space);
  }

  /** The at-risk index: customers whose last contact was on UTC day `day`, by ranking key. */
  dayKey(day: number | ''): string {
    return `${this.space}day:${day}`;
  }

  /** The same by UTC hour (read for the day the at-risk window starts on). */
  hourKey(hour: number | ''): string {
    return `${this.space}hour:${hour}`;
  }

  /** The index of days, each at the highest ranking key filed under it. */
  get daysIndex(): string {
    return this.keys.days;
  }

  private factsKey(bucket: string): string {
    return `${this.space}facts:${bucket}`;
  }

  /**
   * The customer an id answers for now (see `customerAnsweringFor`): its survivor, or for an
   * id the graph never met, the customer its stream's identity was placed with.
   */
  private async answeringFor(customerId: string): Promise<string> {
    const survivor = await survivorIn(this.redis, this.graphKeys, customerId);
    if (survivor !== undefined) return survivor;
    const stream = await this.redis.hget(this.keys.customerStream, customerId);
    const owner =
      stream === null ? undefined : await survivorOfIdentityIn(this.redis, this.graphKeys, stream);
    return owner ?? customerId;
  }

  /** The facts kept in each bucket (one pipeline). */
  private async factsOfBuckets(buckets: readonly string[]): Promise<Map<string, ClosenessFact[]>> {
    const found = new Map<string, ClosenessFact[]>();
    if (buckets.length === 0) return found;
    const pipeline = this.redis.pipeline();
    for (const bucket of buckets) pipeline.hvals(this.factsKey(bucket));
    const replies = (await pipeline.exec()) ?? [];
    buckets.forEach((bucket, i) => {
      const [error, values] = replies[i] as [Error | null, string[]];
      if (error) throw error;
      if (values.length > 0)
        found.set(
          bucket,
          values.map((v) => JSON.parse(v) as ClosenessFact),
        );
    });
    return found;
  }

  /**
   * The part of this model's identity graph and streams that a batch (or a query) naming
   * these customers and identities needs: the graph around them (chains of survivors, merge
   * groups), the streams of their identities and of every customer loaded, and whether the
   * graph has placed those streams' identities.
   */
  private async membership(
    customerIds: readonly string[],
    identityKeys: readonly string[],
  ): Promise<{ graph: IdentityGraph; streams: ClosenessStreams }> {
    const records = redisGraphRecords(this.redis, this.graphKeys);
    let graph = await loadGraphForBatch(records, customerIds, identityKeys);
    const customers = [...new Set([...customerIds, ...graph.customers.keys()])];
    const streams = await this.streamsOf(customers, identityKeys);
    // A customer's stream counts as its own only while the graph has not placed it.
    const unchecked = [...new Set(streams.streamOfCustomer.values())].filter(
      (key) => !graph.identities.has(key),
    );
    if (unchecked.length > 0) {
      const found = await records.identities(unchecked);
      let identities = graph.identities;
      unchecked.forEach((key, i) => {
        const record = found[i];
        if (record !== undefined) identities = identities.set(key, record);
      });
      graph = { ...graph, identities };
    }
    return { graph, streams: lookups(streams) };
  }

  /**
   * The streams of these customers and identity buckets: which bucket each customer's own
   * facts were first filed under, and which customer each bucket's (and those buckets') was.
   */
  private async streamsOf(
    customers: readonly string[],
    identityKeys: readonly string[],
  ): Promise<{ customerOfStream: Map<string, string>; streamOfCustomer: Map<string, string> }> {
    const streamOfCustomer = await this.hashFields(this.keys.customerStream, customers);
    const buckets = [...new Set([...identityKeys, ...streamOfCustomer.values()])];
    const customerOfStream = await this.hashFields(this.keys.streamCustomer, buckets);
    return { customerOfStream, streamOfCustomer };
  }

  /** The fields of a hash that are set, by name. */
  private async hashFields(key: string, fields: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (fields.length === 0) return found;
    const values = await this.redis.hmget(key, ...fields);
    fields.forEach((field, i) => {
      if (values[i] !== null) found.set(field, values[i] as string);
    });
    return found;
  }
}

function lookups(streams: {
  customerOfStream: Map<string, string>;
  streamOfCustomer: Map<string, string>;
}): ClosenessStreams {
  return {
    customerOfStream: (bucket) => streams.customerOfStream.get(bucket),
    streamOfCustomer: (id) => streams.streamOfCustomer.get(id),
  };
}

function triples(reply: string[]): RankedCustomer[] {
  const out: RankedCustomer[] = [];
  for (let i = 0; i < reply.length; i += 3)
    out.push({
      customerId: reply[i],
      rankKey: Number(reply[i + 1]),
      lastContactMs: reply[i + 2] === '' ? null : Number(reply[i + 2]),
    });
  return out;
}

/**
 * The version of the key layout (2: facts in buckets, the model's own identity graph): a new
 * layout starts a model of its own, rebuilt from the log, as a new configuration does.
 */
const LAYOUT = 2;

/** A short, stable name of a configuration: the same weights always give the same keys. */
function configFingerprint(config: ClosenessConfig): string {
  return createHash('sha1')
    .update(`${LAYOUT}:${stringify(config) ?? ''}`)
    .digest('hex')
    .slice(0, 10);
}
