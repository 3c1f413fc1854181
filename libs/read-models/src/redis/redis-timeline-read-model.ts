import { createHash } from 'node:crypto';
import { type Redis } from 'ioredis';
import {
  encodeCursor,
  identityKey,
  matchesTimelineFilter,
  type TimelineCursor,
  type TimelineEntry,
  type TimelinePage,
  type TimelineQuery,
} from '@rapport/domain';
import { CheckpointMismatchError, type CheckpointRange } from '../projection/checkpoint';
import { type TimelineReadModel } from '../timeline/timeline-read-model';
import { type RedisFence } from './redis-lease';

export interface RedisTimelineReadModelOptions {
  /** Every key lives under it, so a rebuild can fill `rapport:v2:` beside the live model. */
  readonly prefix?: string;
  /** When set, `apply` writes only while `fence.key` holds `fence.token`. */
  readonly fence?: RedisFence;
}

/**
 * A writer's lease was taken over (or expired) before it wrote. Nothing was written; the
 * writer must stop, not resume — another projector owns the projection now.
 */
export class FencedOutError extends Error {
  override readonly name = 'FencedOutError';
  constructor(
    readonly projection: string,
    readonly fence: RedisFence,
    /** The token the fence key holds now (it names the new owner), or null. */
    readonly holder: string | null,
  ) {
    super(
      `projection ${projection}: the lease ${fence.key} is no longer held by this writer (held by ${holder ?? 'nobody'}); nothing was written`,
    );
  }
}

/** Log positions are stored zero-padded, so entries of the same millisecond sort by position. */
const POSITION_DIGITS = 16;
/** Largest chunk a page reads at once: bounds a reply while a sparse filter scans far back. */
const MAX_CHUNK = 1000;

/*
 * KEYS: checkpoint, identity hash, the K timeline keys[, fence key last]
 * ARGV: after, upTo, fence token ('' = no fence), K,
 *       then per timeline key: n, n × (score, member), then m, m × (identityKey, customerId)
 * Checks come before any write: a script that fails half-way keeps what it wrote.
 */
const APPLY_SCRIPT = `
local function batched(command, key, first, last)
  -- unpack has a stack limit: at most 1000 arguments (500 pairs) per call.
  for i = first, last, 1000 do
    redis.call(command, key, unpack(ARGV, i, math.min(i + 999, last)))
  end
end
local token = ARGV[3]
if token ~= '' then
  local holder = redis.call('GET', KEYS[#KEYS])
  if holder ~= token then return {'fenced', holder or ''} end
end
local current = redis.call('GET', KEYS[1]) or '0'
if tonumber(current) ~= tonumber(ARGV[1]) then return {'checkpoint', current} end
local a = 5
for k = 1, tonumber(ARGV[4]) do
  local n = tonumber(ARGV[a])
  batched('ZADD', KEYS[2 + k], a + 1, a + 2 * n)
  a = a + 2 * n + 1
end
local m = tonumber(ARGV[a])
if m > 0 then batched('HSET', KEYS[2], a + 1, a + 2 * m) end
redis.call('SET', KEYS[1], ARGV[2])
return {'ok'}
`;
const APPLY_SHA = createHash('sha1').update(APPLY_SCRIPT).digest('hex');

/**
 * The timeline in Redis. Per customer a sorted set scored by occurredAt (ms) whose members
 * are the zero-padded log position followed by the entry JSON: ties in time order by
 * position, and a page is read with no second lookup. `apply` is one Lua script, so a
 * batch, its identities and the checkpoint move together or not at all.
 */
export class RedisTimelineReadModel implements TimelineReadModel {
  readonly prefix: string;
  private readonly fence: RedisFence | undefined;
  private readonly checkpointKey: string;
  private readonly identitiesKey: string;

  constructor(
    private readonly redis: Redis,
    options: RedisTimelineReadModelOptions = {},
  ) {
    this.prefix = options.prefix ?? 'rapport:';
    this.fence = options.fence;
    this.checkpointKey = `${this.prefix}checkpoint:timeline`;
    this.identitiesKey = `${this.prefix}identity`;
  }

  async checkpoint(): Promise<number> {
    return Number((await this.redis.get(this.checkpointKey)) ?? 0);
  }

  async apply(entries: readonly TimelineEntry[], range: CheckpointRange): Promise<void> {
    const byTimeline = new Map<string, string[]>();
    const identities = new Map<string, string>();
    for (const entry of entries) {
      const key = this.timelineKey(entry.customerId);
      let pairs = byTimeline.get(key);
      if (!pairs) byTimeline.set(key, (pairs = []));
      pairs.push(String(scoreOf(entry)), memberOf(entry));
      identities.set(identityKey(entry.identity), entry.customerId);
    }
    const keys = [this.checkpointKey, this.identitiesKey, ...byTimeline.keys()];
    const args = [
      String(range.after),
      String(range.upTo),
      this.fence?.token ?? '',
      String(byTimeline.size),
    ];
    for (const pairs of byTimeline.values()) {
      args.push(String(pairs.length / 2));
      for (const value of pairs) args.push(value); // no spread: a big batch would overflow the stack
    }
    args.push(String(identities.size));
    for (const [key, customerId] of identities) args.push(key, customerId);
    if (this.fence) keys.push(this.fence.key);

    const [outcome, detail] = (await this.evalApply(keys, args)) as [string, string?];
    if (outcome === 'fenced')
      throw new FencedOutError('timeline', this.fence as RedisFence, detail || null);
    if (outcome === 'checkpoint')
      throw new CheckpointMismatchError('timeline', range.after, Number(detail));
  }

  async page(customerId: string, query: TimelineQuery): Promise<TimelinePage> {
    const key = this.timelineKey(customerId);
    const min = query.from ? String(Date.parse(query.from)) : '-inf';
    // Read only entries strictly older than `bound`: the cursor or `to`, whichever is older.
    let bound: TimelineCursor | undefined = query.cursor;
    if (query.to) {
      const to = { occurredAtMs: Date.parse(query.to), position: 0 };
      if (!bound || isOlder(to, bound)) bound = to;
    }
    const filtered = Boolean(query.channels || query.directions || query.types);
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
        const entry = JSON.parse(member.slice(POSITION_DIGITS)) as TimelineEntry;
        if (!matchesTimelineFilter(entry, query)) continue;
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

  async customerByIdentity(key: string): Promise<string | null> {
    return this.redis.hget(this.identitiesKey, key);
  }

  /**
   * Deletes this model's keys — the checkpoint first, so an interrupted clear leaves a
   * model at 0 that is rebuilt (re-adding a member is a no-op), never a model that claims
   * a position it lost entries of. Only this layout's keys: a lease stored under the same
   * prefix, or a nested `rapport:v2:` rebuild under `rapport:`, is left alone.
   */
  async clear(): Promise<void> {
    await this.redis.unlink(this.checkpointKey, this.identitiesKey);
    const match = `${escapeGlob(this.prefix)}timeline:*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      if (keys.length > 0) await this.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  private timelineKey(customerId: string): string {
    return `${this.prefix}timeline:${customerId}`;
  }

  /** EVALSHA; the script text is sent only when the server does not know it yet. */
  private async evalApply(keys: string[], args: string[]): Promise<unknown> {
    const keysAndArgs = [...keys, ...args];
    try {
      return await this.redis.evalsha(APPLY_SHA, keys.length, keysAndArgs);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.redis.eval(APPLY_SCRIPT, keys.length, keysAndArgs);
    }
  }
}

function scoreOf(entry: TimelineEntry): number {
  const ms = Date.parse(entry.occurredAt);
  // Checked before the script runs: a ZADD that fails half-way would keep the half.
  if (!Number.isFinite(ms))
    throw new RangeError(`entry ${entry.eventId}: occurredAt is not a time`);
  return ms;
}

function memberOf(entry: TimelineEntry): string {
  if (!Number.isSafeInteger(entry.position) || entry.position < 0)
    throw new RangeError(
      `entry ${entry.eventId}: position ${entry.position} is not a log position`,
    );
  return String(entry.position).padStart(POSITION_DIGITS, '0') + JSON.stringify(entry);
}

/** True when `a` comes after `b` in timeline order (older, or same time and lower position). */
function isOlder(a: TimelineCursor, b: TimelineCursor): boolean {
  return (
    a.occurredAtMs < b.occurredAtMs ||
    (a.occurredAtMs === b.occurredAtMs && a.position < b.position)
  );
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
