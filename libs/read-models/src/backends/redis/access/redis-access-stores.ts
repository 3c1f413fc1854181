import { randomBytes } from 'node:crypto';
import { type RedisConnection } from '../redis-connection';
import { LRUCache } from 'lru-cache';
import { type AccessStores } from '../../../access/access-stores';
import { type AdapterKeyRecord } from '../../../access/adapter-key-store';
import { type AuditEntry } from '../../../access/audit-trail';
import { accessKeys } from '../redis-keys';

/** How much entry time passes between two trims of one audit set. */
const TRIM_EVERY_MS = 60_000;

/** Access state in Redis, shared by every replica that uses the same read models. */
export function redisAccessStores(redis: () => RedisConnection, prefix: string): AccessStores {
  const keys = accessKeys(prefix);
  const parse = (json: string, revokedAt: string | null | undefined): AdapterKeyRecord => {
    const { revokedAt: _ignored, ...record } = JSON.parse(json) as AdapterKeyRecord;
    return revokedAt ? { ...record, revokedAt } : record;
  };
  /** When each audit set was last trimmed (entry time), for the sets written lately. */
  const lastTrim = new LRUCache<string, number>({ max: 10_000 });
  // Members carry a tail unique to this process and entry, so that two equal entries in one
  // millisecond are both kept (a random draw per entry cost a system call per request).
  const tail = randomBytes(6).toString('base64url');
  let written = 0;
  const member = (entry: AuditEntry) =>
    `${JSON.stringify(entry)}\n${tail}${(written++).toString(36)}`;
  const entryOf = (stored: string) =>
    JSON.parse(stored.slice(0, stored.lastIndexOf('\n'))) as AuditEntry;
  // Every audit set is in one slot: a batch of entries is one transaction, one ZADD per set.
  const recordAll = async (entries: readonly AuditEntry[], retentionMs: number) => {
    if (entries.length === 0) return;
    const bySet = new Map<string, { members: (string | number)[]; latest: number }>();
    for (const entry of entries) {
      const at = Date.parse(entry.at);
      const stored = member(entry);
      const sets = [keys.auditAll];
      if (entry.customerId) sets.push(keys.auditOfCustomer(entry.customerId));
      for (const set of sets) {
        const write = bySet.get(set) ?? { members: [], latest: at };
        write.members.push(at, stored);
        write.latest = Math.max(write.latest, at);
        bySet.set(set, write);
      }
    }
    const multi = redis().multi();
    for (const [set, { members, latest }] of bySet) {
      multi.zadd(set, ...members);
      // Entries past the retention go, and the set's expiry moves, once a minute of
      // entries per set rather than at every request (every staff request is audited).
      const trimmedAt = lastTrim.get(set);
      if (trimmedAt === undefined || latest - trimmedAt >= TRIM_EVERY_MS || latest < trimmedAt) {
        lastTrim.set(set, latest);
        multi.zremrangebyscore(set, '-inf', latest - retentionMs);
        multi.pexpire(set, retentionMs);
      }
    }
    await multi.exec();
  };
  return {
    adapterKeys: {
      async put(record) {
        await redis().hset(keys.adapterKeys, record.id, JSON.stringify(record));
      },
      async get(id) {
        const [json, revokedAt] = await Promise.all([
          redis().hget(keys.adapterKeys, id),
          redis().hget(keys.revokedAdapterKeys, id),
        ]);
        return json === null ? undefined : parse(json, revokedAt);
      },
      async list() {
        const [all, revoked] = await Promise.all([
          redis().hgetall(keys.adapterKeys),
          redis().hgetall(keys.revokedAdapterKeys),
        ]);
        return Object.entries(all)
          .map(([id, json]) => parse(json, revoked[id]))
          .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      },
      async revoke(id, at) {
        await redis().hsetnx(keys.revokedAdapterKeys, id, at);
      },
    },
    audit: {
      async record(entry, retentionMs) {
        await recordAll([entry], retentionMs);
      },
      recordAll,
      async query({ customerId, limit }, _now) {
        const set = customerId ? keys.auditOfCustomer(customerId) : keys.auditAll;
        const stored = await redis().zrevrange(set, 0, limit - 1);
        return stored.map(entryOf);
      },
    },
    rateLimits: {
      async hit(key, windowMs, count = 1) {
        const window = keys.rateWindow(key);
        const results = await redis()
          .multi()
          .incrby(window, count)
          .pexpire(window, windowMs, 'NX')
          .pttl(window)
          .exec();
        const hits = Number(results?.[0]?.[1] ?? 0);
        const ttl = Number(results?.[2]?.[1] ?? windowMs);
        return { hits, resetInMs: ttl > 0 ? ttl : windowMs };
      },
    },
  };
}
