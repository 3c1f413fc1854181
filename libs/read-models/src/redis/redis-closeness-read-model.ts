import { createHash } from 'node:crypto';
import { type Redis } from 'ioredis';
import stringify from 'safe-stable-stringify';
import {
  applyClosenessFact,
  type ClosenessConfig,
  type ClosenessFact,
  closenessRankKey,
  type ClosenessState,
  emptyClosenessState,
  inLogOrder,
} from '@rapport/domain';
import {
  type ClosenessReadModel,
  type CustomerCloseness,
  type RankedCustomer,
} from '../closeness/closeness-read-model';
import { type CheckpointRange } from '../projection/checkpoint';
import { FencedBatchScript, RedisScript } from './fenced-batch-script';
import { contactDay, contactHour } from '../closeness/quiet-hours';
import { type RedisFence } from './redis-lease';

export interface RedisClosenessReadModelOptions {
  readonly prefix?: string;
  /** When set, `apply` writes only while `fence.key` holds `fence.token`. */
  readonly fence?: RedisFence;
}

/*
 * KEYS: checkpoint, rank, state, last, latest, days, then per customer: facts, old day,
 *       new day, old hour, new hour buckets [, fence key last]
 * ARGV: after, upTo, fence token ('' = none), latest contact ('' = none), K, then per
 *       customer: id, rank key, state JSON, last contact, old day ('' = none), new day,
 *       m, m × (eventId, fact JSON)
 * Checks come before any write. A day's entry in `days` is the highest key filed under it.
 */
const APPLY_SCRIPT = `
local function batched(command, key, first, last)
  for i = first, last, 1000 do
    redis.call(command, key, unpack(ARGV, i, math.min(i + 999, last)))
  end
end
local function indexDay(bucket, day)
  local top = redis.call('ZREVRANGE', bucket, 0, 0, 'WITHSCORES')
  if #top == 0 then redis.call('ZREM', KEYS[6], day)
  else redis.call('ZADD', KEYS[6], top[2], day) end
end
local token = ARGV[3]
if token ~= '' then
  local holder = redis.call('GET', KEYS[#KEYS])
  if holder ~= token then return {'fenced', holder or ''} end
end
local current = redis.call('GET', KEYS[1]) or '0'
if tonumber(current) ~= tonumber(ARGV[1]) then return {'checkpoint', current} end
local a = 6
for k = 1, tonumber(ARGV[5]) do
  local id = ARGV[a]
  local b = 6 + 5 * (k - 1)
  redis.call('ZADD', KEYS[2], ARGV[a + 1], id)
  redis.call('HSET', KEYS[3], id, ARGV[a + 2])
  redis.call('HSET', KEYS[4], id, ARGV[a + 3])
  if ARGV[a + 4] ~= '' then
    redis.call('ZREM', KEYS[b + 2], id)
    redis.call('ZREM', KEYS[b + 4], id)
    indexDay(KEYS[b + 2], ARGV[a + 4])
  end
  redis.call('ZADD', KEYS[b + 3], ARGV[a + 1], id)
  redis.call('ZADD', KEYS[b + 5], ARGV[a + 1], id)
  indexDay(KEYS[b + 3], ARGV[a + 5])
  local m = tonumber(ARGV[a + 6])
  if m > 0 then batched('HSET', KEYS[b + 1], a + 7, a + 6 + 2 * m) end
  a = a + 7 + 2 * m
end
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
 * hour bucket key prefixes. The threshold walk of quiet-hours.ts: whole days before the
 * boundary day by their highest key, until no day left can beat the limit-th best; then the
 * hours of the boundary day up to the boundary hour (its customers seen after the bound
 * skipped). Once the list is full, a bucket is read only down to its worst key.
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
  -- Binary search for the place: after every entry better than this one.
  local lo, hi = 1, #ids + 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if better(keys[mid], ids[mid], k, id) then lo = mid + 1 else hi = mid end
  end
  local at = lo
  table.insert(ids, at, id); table.insert(keys, at, k); table.insert(scores, at, score)
  if #ids > limit then table.remove(ids); table.remove(keys); table.remove(scores) end
end
-- A bucket's customers in ranking order while they can still make the list.
local function walk(bucket, filtered)
  local from, size = 0, math.min(4, limit)
  while true do
    local entries
    if #ids >= limit then
      -- Only what can still make the list: from the top down to the worst key kept.
      entries = redis.call('ZREVRANGEBYSCORE', bucket, '+inf', scores[#ids], 'WITHSCORES', 'LIMIT', from, size)
    else
      entries = redis.call('ZREVRANGE', bucket, from, from + size - 1, 'WITHSCORES')
    end
    if #entries == 0 then return end
    local lasts = nil
    if filtered then
      local chunk = {}
      for j = 1, #entries, 2 do chunk[#chunk + 1] = entries[j] end
      lasts = redis.call('HMGET', KEYS[2], unpack(chunk))
    end
    for j = 1, #entries, 2 do
      local id = entries[j]
      local k = tonumber(entries[j + 1])
      if #ids >= limit and not better(k, id, keys[#ids], ids[#ids]) then return end
      if lasts == nil or tonumber(lasts[(j + 1) / 2]) <= atMost then
        insert(id, k, entries[j + 1])
      end
    end
    if #entries < 2 * size then return end
    from = from + size
    size = math.min(size * 2, 1000)
  end
end
local start = 0
local finished = false
while not finished do
  local page = redis.call('ZREVRANGE', KEYS[1], start, start + 63, 'WITHSCORES')
  if #page == 0 then break end
  for i = 1, #page, 2 do
    if #ids >= limit and tonumber(page[i + 1]) < keys[#ids] then finished = true; break end
    if tonumber(page[i]) < boundaryDay then walk(dayPrefix .. page[i], false) end
  end
  start = start + 64
end
-- Then the day of the bound, hour by hour, against the bar the whole days have set.
for hour = boundaryDay * 24, boundaryHour do
  walk(hourPrefix .. hour, hour == boundaryHour)
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
 * last contact in hashes, and the facts in a hash per customer (to recompute as of any time).
 * `apply` reads the states it continues from, folds the batch with the pure domain, then
 * writes every state, key, fact and the checkpoint in one Lua script that first checks the
 * checkpoint and the lease's fence — atomically, or not at all.
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
  };

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
    };
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

  async apply(facts: readonly ClosenessFact[], range: CheckpointRange): Promise<void> {
    const byCustomer = new Map<string, ClosenessFact[]>();
    for (const fact of facts) {
      let list = byCustomer.get(fact.customerId);
      if (!list) byCustomer.set(fact.customerId, (list = []));
      list.push(fact);
    }
    const ids = [...byCustomer.keys()];
    const stored = ids.length > 0 ? await this.redis.hmget(this.keys.state, ...ids) : [];
    const keys = [
      this.keys.checkpoint,
      this.keys.rank,
      this.keys.state,
      this.keys.last,
      this.keys.latest,
      this.keys.days,
    ];
    const args: string[] = [String(range.after), String(range.upTo), this.fence?.token ?? ''];
    let latest: number | null = null;
    const perCustomer: string[] = [];
    ids.forEach((customerId, i) => {
      const json = stored[i];
      let state: ClosenessState = json
        ? (JSON.parse(json) as ClosenessState)
        : emptyClosenessState(customerId, this.config);
      const previous = state.lastContactMs;
      const list = byCustomer.get(customerId) as ClosenessFact[];
      for (const fact of list) {
        state = applyClosenessFact(state, fact, this.config).state;
        if (latest === null || fact.occurredAtMs > latest) latest = fact.occurredAtMs;
      }
      const last = state.lastContactMs as number;
      const was = previous ?? last;
      keys.push(
        this.factsKey(customerId),
        this.dayKey(contactDay(was)),
        this.dayKey(contactDay(last)),
        this.hourKey(contactHour(was)),
        this.hourKey(contactHour(last)),
      );
      perCustomer.push(
        customerId,
        String(closenessRankKey(state, this.config)),
        JSON.stringify(state),
        String(last),
        previous === null ? '' : String(contactDay(previous)),
        String(contactDay(last)),
        String(list.length),
      );
      for (const fact of list) perCustomer.push(fact.eventId, JSON.stringify(fact));
    });
    args.push(latest === null ? '' : String(latest), String(ids.length));
    for (const value of perCustomer) args.push(value); // no spread: a big batch would overflow the stack
    await APPLY.apply(this.redis, keys, args, range, this.fence);
  }

  async customer(customerId: string): Promise<CustomerCloseness | null> {
    const [state, facts] = await Promise.all([
      this.redis.hget(this.keys.state, customerId),
      this.redis.hvals(this.factsKey(customerId)),
    ]);
    if (!state) return null;
    return {
      state: JSON.parse(state) as ClosenessState,
      facts: inLogOrder(facts.map((f) => JSON.parse(f) as ClosenessFact)),
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

  async latestContactMs(): Promise<number | null> {
    const latest = await this.redis.get(this.keys.latest);
    return latest === null ? null : Number(latest);
  }

  /** Deletes this model's keys, the checkpoint first (an interrupted clear is rebuilt). */
  async clear(): Promise<void> {
    await this.redis.unlink(this.keys.checkpoint);
    const match = `${escapeGlob(this.space)}*`;
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      if (found.length > 0) await this.redis.unlink(...found);
      cursor = next;
    } while (cursor !== '0');
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

  private factsKey(customerId: string): string {
    return `${this.space}facts:${customerId}`;
  }
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

/** A short, stable name of a configuration: the same weights always give the same keys. */
function configFingerprint(config: ClosenessConfig): string {
  return createHash('sha1')
    .update(stringify(config) ?? '')
    .digest('hex')
    .slice(0, 10);
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
