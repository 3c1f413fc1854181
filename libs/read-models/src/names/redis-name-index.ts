import { type RedisConnection } from '../backends/redis/redis-connection';
import {
  NAME_TERM_SEPARATOR,
  nameSearchPrefix,
  nameSearchTerms,
  type SeenName,
} from '@rapport/domain';
import { StringPacker } from '../backends/redis/packed-strings';
import { readLua, RedisScript } from '../backends/redis/redis-script';
import { type NameMatch } from './customer-names';

const APPLY = new RedisScript(readLua(__dirname, 'names-apply.lua'));
const ERASE = new RedisScript(readLua(__dirname, 'names-erase.lua'));

/** Where a model's names live, under its prefix: no key holds a name, only members and values. */
export function nameKeys(prefix: string) {
  return {
    /** Every search term as a member `term \0 identity key`, scored 0: a prefix is a lex range. */
    index: `${prefix}names:index`,
    /** identity key → its latest name, with the members it is indexed under (JSON). */
    latest: `${prefix}names:latest`,
  };
}

interface StoredName extends SeenName {
  readonly ms: number;
  readonly members: readonly string[];
}

/** Bytes no UTF-8 string holds: past every member that starts with a prefix. */
const PAST_ANY_CHARACTER = Buffer.from([0xff]);

/**
 * The name index in Redis: one sorted set whose members are `term \0 identity key` (all
 * scored 0, so a prefix search is one `ZRANGE … BYLEX`), and a hash of each identity's latest
 * name. Both are written by Lua scripts that keep only the newer name, so writes are
 * idempotent and commute; an erasure removes an identity's members and record in one script.
 */
export class RedisNameIndex {
  private readonly keys: ReturnType<typeof nameKeys>;

  constructor(
    private readonly redis: RedisConnection,
    prefix: string,
  ) {
    this.keys = nameKeys(prefix);
  }

  /** Issued in call order among the connection's commands (the text each time, like the batch). */
  apply(names: ReadonlyMap<string, SeenName>): Promise<unknown> {
    // Straight into the script's packed argument: no list of strings to build first.
    const packed = new StringPacker(256 * names.size);
    for (const [key, { name, occurredAt, position }] of names) {
      const ms = Date.parse(occurredAt);
      if (!Number.isFinite(ms)) continue; // entries refuse such a time before this is reached
      const members = nameSearchTerms(name).map((t) => `${t}${NAME_TERM_SEPARATOR}${key}`);
      const record: StoredName = { name, occurredAt, position, ms, members };
      packed.push(key);
      packed.push(JSON.stringify(record));
      packed.push(String(ms));
      packed.push(String(position));
      packed.push(String(members.length));
      for (const member of members) packed.push(member);
    }
    if (packed.length === 0) return Promise.resolve();
    return APPLY.run(this.redis, [this.keys.index, this.keys.latest], [packed.finish()], {
      inOrder: true,
    });
  }

  erase(identityKeys: readonly string[]): Promise<unknown> {
    if (identityKeys.length === 0) return Promise.resolve();
    return ERASE.run(this.redis, [this.keys.index, this.keys.latest], identityKeys, {
      inOrder: true,
    });
  }

  async clear(): Promise<void> {
    await this.redis.unlink(this.keys.index, this.keys.latest);
  }

  async namesOf(identityKeys: readonly string[]): Promise<Map<string, SeenName>> {
    const found = new Map<string, SeenName>();
    if (identityKeys.length === 0) return found;
    const values = await this.redis.hmget(this.keys.latest, ...identityKeys);
    identityKeys.forEach((key, i) => {
      const raw = values[i];
      if (raw !== null) found.set(key, seenOf(raw));
    });
    return found;
  }

  async search(prefix: string, limit: number): Promise<NameMatch[]> {
    const wanted = nameSearchPrefix(prefix);
    if (wanted === '' || limit <= 0) return [];
    const matches: NameMatch[] = [];
    const keys = new Set<string>();
    // A name is indexed under a few terms: read a few more members than names wanted.
    const chunk = Math.min(4 * limit, 1000);
    const max = Buffer.concat([Buffer.from(`(${wanted}`), PAST_ANY_CHARACTER]);
    for (let offset = 0; matches.length < limit; offset += chunk) {
      const members = await this.redis.zrangebylex(
        this.keys.index,
        `[${wanted}`,
        max,
        'LIMIT',
        offset,
        chunk,
      );
      const fresh = members
        .map((member) => member.slice(member.indexOf(NAME_TERM_SEPARATOR) + 1))
        .filter((key) => !keys.has(key) && (keys.add(key), true));
      const names = await this.namesOf(fresh);
      for (const key of fresh) {
        const name = names.get(key);
        if (name && matches.length < limit) matches.push({ identityKey: key, name });
      }
      if (members.length < chunk) break;
    }
    return matches;
  }
}

function seenOf(raw: string): SeenName {
  const { name, occurredAt, position } = JSON.parse(raw) as StoredName;
  return { name, occurredAt, position };
}
