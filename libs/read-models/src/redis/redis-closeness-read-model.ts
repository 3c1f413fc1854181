import { createHash } from 'node:crypto';
import { type Redis } from 'ioredis';
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
import { CheckpointMismatchError, type CheckpointRange } from '../projection/checkpoint';
import { contactHour } from '../closeness/quiet-hours';
import { type RedisFence } from './redis-lease';
import { FencedOutError } from './redis-timeline-read-model';

export interface RedisClosenessReadModelOptions {
  readonly prefix?: string;
  /** When set, `apply` writes only while `fence.key` holds `fence.token`. */
  readonly fence?: RedisFence;
}

/*
 * KEYS: checkpoint, rank, state, last, latest, hours, then per customer: facts, old hour, new hour
 *       [, fence key last]
 * ARGV: after, upTo, fence token ('' = none), latest contact ('' = none), K, then per
 *       customer: id, rank key, state JSON, last contact, old hour ('' = none), new hour,
 *       m, m × (eventId, fact JSON)
 * Checks come before any write. An hour's entry in `hours` is the highest key filed under it.
 */
const APPLY_SCRIPT = `
local function batched(command, key, first, last)
  for i = first, last, 1000 do
    redis.call(command, key, unpack(ARGV, i, math.min(i + 999, last)))
  end
end
local function indexHour(bucket, hour)
  local top = redis.call('ZREVRANGE', bucket, 0, 0, 'WITHSCORES')
  if #top == 0 then redis.call('ZREM', KEYS[6], hour)
  else redis.call('ZADD', KEYS[6], top[2], hour) end
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
  local factsKey, oldBucket, newBucket = KEYS[4 + 3 * k], KEYS[5 + 3 * k], KEYS[6 + 3 * k]
  redis.call('ZADD', KEYS[2], ARGV[a + 1], id)
  redis.call('HSET', KEYS[3], id, ARGV[a + 2])
  redis.call('HSET', KEYS[4], id, ARGV[a + 3])
  if ARGV[a + 4] ~= '' then
    redis.call('ZREM', oldBucket, id)
    indexHour(oldBucket, ARGV[a + 4])
  end
  redis.call('ZADD', newBucket, ARGV[a + 1], id)
  indexHour(newBucket, ARGV[a + 5])
  local m = tonumber(ARGV[a + 6])
  if m > 0 then batched('HSET', factsKey, a + 7, a + 6 + 2 * m) end
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
 * KEYS: hours, last. ARGV: boundary hour, last contact at most, limit, hour-bucket key prefix.
 * The threshold walk of quiet-hours.ts: hours by their highest key; hours after the boundary
 * skipped; on the boundary hour, customers seen after the bound skipped; stops when no hour
 * left can beat the limit-th best. (Hour buckets are named, not declared: one Redis node.)
 */
const QUIET_SCRIPT = `
local boundary = tonumber(ARGV[1])
local atMost = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local prefix = ARGV[4]
local ids, keys, scores = {}, {}, {}
local function better(k1, id1, k2, id2)
  if k1 ~= k2 then return k1 > k2 end
  return id1 > id2
end
local function beatsWorst(k, id)
  return #ids < limit or better(k, id, keys[#ids], ids[#ids])
end
local function insert(id, k, score)
  local at = #ids + 1
  while at > 1 and better(k, id, keys[at - 1], ids[at - 1]) do at = at - 1 end
  table.insert(ids, at, id); table.insert(keys, at, k); table.insert(scores, at, score)
  if #ids > limit then table.remove(ids); table.remove(keys); table.remove(scores) end
end
local start = 0
local finished = false
while not finished do
  local page = redis.call('ZREVRANGE', KEYS[1], start, start + 255, 'WITHSCORES')
  if #page == 0 then break end
  for i = 1, #page, 2 do
    local hour = tonumber(page[i])
    local highest = tonumber(page[i + 1])
    if #ids >= limit and highest < keys[#ids] then finished = true; break end
    if hour <= boundary then
      local bucket = prefix .. page[i]
      -- Small chunks first: most hours contribute a few customers, if any.
      local from, size = 0, math.min(8, limit)
      local more = true
      while more do
        local entries = redis.call('ZREVRANGE', bucket, from, from + size - 1, 'WITHSCORES')
        if #entries < 2 * size then more = false end
        local lasts = nil
        if hour == boundary and #entries > 0 then
          local chunk = {}
          for j = 1, #entries, 2 do chunk[#chunk + 1] = entries[j] end
          lasts = redis.call('HMGET', KEYS[2], unpack(chunk))
        end
        for j = 1, #entries, 2 do
          local id = entries[j]
          local k = tonumber(entries[j + 1])
          if not beatsWorst(k, id) then more = false; break end
          if lasts == nil or tonumber(lasts[(j + 1) / 2]) <= atMost then
            insert(id, k, entries[j + 1])
          end
        end
        from = from + size
        size = math.min(size * 2, 1000)
      end
    end
  end
  start = start + 256
end
if #ids == 0 then return {} end
local lasts = redis.call('HMGET', KEYS[2], unpack(ids))
local out = {}
for j = 1, #ids do
  out[#out + 1] = ids[j]; out[#out + 1] = scores[j]; out[#out + 1] = lasts[j] or ''
end
return out
`;

class Script {
  readonly sha: string;
  constructor(readonly text: string) {
    this.sha = createHash('sha1').update(text).digest('hex');
  }
  /** EVALSHA; the script text is sent only when the server does not know it yet. */
  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.text, keys.length, ...keys, ...args);
    }
  }
}
const APPLY = new Script(APPLY_SCRIPT);
const TOP = new Script(TOP_SCRIPT);
const QUIET = new Script(QUIET_SCRIPT);

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
  private readonly fence: RedisFence | undefined;
  private readonly keys: {
    checkpoint: string;
    rank: string;
    state: string;
    last: string;
    latest: string;
    hours: string;
  };

  constructor(
    private readonly redis: Redis,
    readonly config: ClosenessConfig,
    options: RedisClosenessReadModelOptions = {},
  ) {
    this.prefix = options.prefix ?? 'rapport:';
    this.fence = options.fence;
    this.keys = {
      checkpoint: `${this.prefix}checkpoint:closeness`,
      rank: `${this.prefix}closeness:rank`,
      state: `${this.prefix}closeness:state`,
      last: `${this.prefix}closeness:last`,
      latest: `${this.prefix}closeness:latest`,
      hours: `${this.prefix}closeness:hours`,
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
      this.keys.hours,
    ];
    const args: string[] = [String(range.after), String(range.upTo), this.fence?.token ?? ''];
    let latest: number | null = null;
    const perCustomer: string[] = [];
    ids.forEach((customerId, i) => {
      const json = stored[i];
      let state: ClosenessState = json
        ? (JSON.parse(json) as ClosenessState)
        : emptyClosenessState(customerId, this.config);
      const oldHour = state.lastContactMs === null ? null : contactHour(state.lastContactMs);
      const list = byCustomer.get(customerId) as ClosenessFact[];
      for (const fact of list) {
        state = applyClosenessFact(state, fact, this.config).state;
        if (latest === null || fact.occurredAtMs > latest) latest = fact.occurredAtMs;
      }
      const newHour = contactHour(state.lastContactMs as number);
      keys.push(this.factsKey(customerId), this.hourKey(oldHour ?? newHour), this.hourKey(newHour));
      perCustomer.push(
        customerId,
        String(closenessRankKey(state, this.config)),
        JSON.stringify(state),
        String(state.lastContactMs),
        oldHour === null ? '' : String(oldHour),
        String(newHour),
        String(list.length),
      );
      for (const fact of list) perCustomer.push(fact.eventId, JSON.stringify(fact));
    });
    args.push(latest === null ? '' : String(latest), String(ids.length));
    for (const value of perCustomer) args.push(value); // no spread: a big batch would overflow the stack
    if (this.fence) keys.push(this.fence.key);

    const [outcome, detail] = (await APPLY.run(this.redis, keys, args)) as [string, string?];
    if (outcome === 'fenced')
      throw new FencedOutError('closeness', this.fence as RedisFence, detail || null);
    if (outcome === 'checkpoint')
      throw new CheckpointMismatchError('closeness', range.after, Number(detail));
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
      [this.keys.hours, this.keys.last],
      [contactHour(lastContactAtMostMs), lastContactAtMostMs, limit, this.hourKey('')],
    )) as string[];
    return triples(reply);
  }

  async latestContactMs(): Promise<number | null> {
    const latest = await this.redis.get(this.keys.latest);
    return latest === null ? null : Number(latest);
  }

  /** Deletes this model's keys, the checkpoint first (an interrupted clear is rebuilt). */
  async clear(): Promise<void> {
    const { checkpoint, rank, state, last, latest, hours } = this.keys;
    await this.redis.unlink(checkpoint, rank, state, last, latest, hours);
    for (const pattern of ['closeness:facts:*', 'closeness:hour:*']) {
      const match = `${escapeGlob(this.prefix)}${pattern}`;
      let cursor = '0';
      do {
        const [next, found] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
        if (found.length > 0) await this.redis.unlink(...found);
        cursor = next;
      } while (cursor !== '0');
    }
  }

  /** The at-risk index: customers whose last contact was on UTC hour `hour`, by ranking key. */
  hourKey(hour: number | ''): string {
    return `${this.prefix}closeness:hour:${hour}`;
  }

  /** The index of hours, each at the highest ranking key filed under it. */
  get hoursIndex(): string {
    return this.keys.hours;
  }

  private factsKey(customerId: string): string {
    return `${this.prefix}closeness:facts:${customerId}`;
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

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
