import type Redis from 'ioredis';
import { RedisScript } from '../redis/fenced-batch-script';
import { unlinkKeysStartingWith } from '../redis/unlink-keys';

/** A rebuild's record: the version it builds, kept until it is switched live or dropped. */
export interface RebuildRecord {
  readonly version: number;
  readonly startedAt: string;
}

export type SwitchResult =
  | { readonly outcome: 'switched'; readonly position: number }
  | { readonly outcome: 'behind'; readonly position: number; readonly live: number }
  | { readonly outcome: 'moved'; readonly liveVersion: number };

/*
 * KEYS: live pointer, new version's checkpoint, old version's checkpoint, rebuild record,
 *       retired set
 * ARGV: the version expected live, the new version, the retired set's member for the old one
 * The new version goes live only when it has applied at least what the old one has (so no
 * reader ever goes back in time); the old one's checkpoint becomes -1, so a batch the live
 * projector was writing to it fails its checkpoint check and the projector resumes from the
 * new version's checkpoint.
 */
const SWITCH = new RedisScript(`
local live = redis.call('GET', KEYS[1]) or '0'
if live ~= ARGV[1] then return {'moved', live} end
local new = tonumber(redis.call('GET', KEYS[2]) or '0')
local old = tonumber(redis.call('GET', KEYS[3]) or '0')
if new < old then return {'behind', tostring(new), tostring(old)} end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[3], '-1')
redis.call('DEL', KEYS[4])
redis.call('SADD', KEYS[5], ARGV[3])
return {'switched', tostring(new)}
`);

/** How many times a read is retried when the live version keeps moving under it. */
const MAX_READ_ATTEMPTS = 5;

/**
 * The versions of the read models under one key prefix. Version 0 is the model as first
 * built, under the prefix itself; version n ≥ 1 lives under `<prefix>v<n>:`. Which version
 * readers use is a pointer per projection (`<prefix>projections:live:<name>`), moved by one
 * Lua script. Version numbers come from one counter and are never reused, so a version
 * seen once always means the same keys.
 */
export class RedisProjectionVersions {
  /** The live version each projection had at the last read (readers start from it). */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
  ) {}

  /** Where version `version`'s keys live. */
  prefixOf(version: number): string {
    return version === 0 ? this.prefix : `${this.prefix}v${version}:`;
  }

  liveKey(name: string): string {
    return `${this.prefix}projections:live:${name}`;
  }

  rebuildKey(name: string): string {
    return `${this.prefix}projections:rebuild:${name}`;
  }

  /** Versions switched out and not yet dropped, as `<name>:<version>`. */
  get retiredKey(): string {
    return `${this.prefix}projections:retired`;
  }

  /** Held by the process rebuilding `name` (one rebuild per projection at a time). */
  rebuildLeaseKey(name: string): string {
    return `${this.prefix}lease:rebuild:${name}`;
  }

  async live(name: string): Promise<number> {
    const version = Number((await this.redis.get(this.liveKey(name))) ?? 0);
    this.seen.set(name, version);
    return version;
  }

  /**
   * Runs `read` against the live version and returns its answer only if that version was
   * still live when the read had finished: commands run in order, so the old version was
   * then not yet switched out, let alone dropped, and the answer is a whole model's. When
   * it moved meanwhile, the read runs again on the new live version.
   */
  async readLive<T>(name: string, read: (version: number) => Promise<T>): Promise<T> {
    let version = this.seen.get(name) ?? (await this.live(name));
    for (let attempt = 1; ; attempt++) {
      let answer: { value: T } | { error: unknown };
      try {
        answer = { value: await read(version) };
      } catch (error) {
        answer = { error };
      }
      const now = await this.live(name);
      if (now === version) {
        if ('error' in answer) throw answer.error;
        return answer.value;
      }
      if (attempt >= MAX_READ_ATTEMPTS)
        throw new Error(
          `the live version of ${name} moved ${attempt} times during one read; try again`,
        );
      version = now;
    }
  }

  async rebuildRecord(name: string): Promise<RebuildRecord | null> {
    const record = await this.redis.hgetall(this.rebuildKey(name));
    if (!record.version) return null;
    return { version: Number(record.version), startedAt: record.startedAt ?? '' };
  }

  /** Allocates a new version for a rebuild of `name` and records it (to resume it later). */
  async startRebuild(name: string, now = new Date()): Promise<RebuildRecord> {
    const version = await this.redis.incr(`${this.prefix}projections:last-version`);
    const record = { version, startedAt: now.toISOString() };
    await this.redis.hset(this.rebuildKey(name), {
      version: String(version),
      startedAt: record.startedAt,
    });
    return record;
  }

  async forgetRebuild(name: string): Promise<void> {
    await this.redis.del(this.rebuildKey(name));
  }

  /**
   * Makes `version` live in place of `expected`, if it has applied at least as much of the
   * log as `expected` has (`behind` otherwise: nothing changed). Atomic: readers see the old
   * version or the new one, and the old one is listed for dropping in the same step.
   */
  async trySwitch(
    name: string,
    expected: number,
    version: number,
    checkpointKeyOf: (prefix: string) => string,
  ): Promise<SwitchResult> {
    const reply = (await SWITCH.run(
      this.redis,
      [
        this.liveKey(name),
        checkpointKeyOf(this.prefixOf(version)),
        checkpointKeyOf(this.prefixOf(expected)),
        this.rebuildKey(name),
        this.retiredKey,
      ],
      [String(expected), String(version), `${name}:${expected}`],
    )) as string[];
    if (reply[0] === 'moved') return { outcome: 'moved', liveVersion: Number(reply[1]) };
    if (reply[0] === 'behind')
      return { outcome: 'behind', position: Number(reply[1]), live: Number(reply[2]) };
    this.seen.set(name, version);
    return { outcome: 'switched', position: Number(reply[1]) };
  }

  /** The versions of `name` switched out and not yet dropped. */
  async retired(name: string): Promise<number[]> {
    const members = await this.redis.smembers(this.retiredKey);
    return members
      .filter((m) => m.startsWith(`${name}:`))
      .map((m) => Number(m.slice(name.length + 1)));
  }

  async forgetRetired(name: string, version: number): Promise<void> {
    await this.redis.srem(this.retiredKey, `${name}:${version}`);
  }

  /** Deletes every key of version n ≥ 1 (SCAN + UNLINK in batches; the keys go in the background). */
  async unlinkVersion(version: number): Promise<void> {
    if (version < 1) throw new RangeError('version 0 shares its prefix: clear its model instead');
    await unlinkKeysStartingWith(this.redis, this.prefixOf(version));
  }
}
