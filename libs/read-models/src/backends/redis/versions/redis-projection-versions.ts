import { type RedisConnection } from '../redis-connection';
import { type VersionKeys, versionKeys } from '../redis-keys';
import { readLua, RedisScript } from '../redis-script';
import { unlinkKeysStartingWith } from '../unlink-keys';

/** A rebuild's record: the version it builds, kept until it is switched live or dropped. */
export interface RebuildRecord {
  readonly version: number;
  readonly startedAt: string;
}

export type SwitchResult =
  | { readonly outcome: 'switched'; readonly position: number }
  | { readonly outcome: 'behind'; readonly position: number; readonly live: number }
  | { readonly outcome: 'moved'; readonly liveVersion: number };

// KEYS and ARGV: see version-switch.lua.
const SWITCH = new RedisScript(readLua(__dirname, 'version-switch.lua'));

/** How many times a read is retried when the live version keeps moving under it. */
const MAX_READ_ATTEMPTS = 5;

/**
 * The versions of the read models under one key prefix. Version 0 is the model as first
 * built, under the prefix itself; version n ≥ 1 lives under `<prefix>v<n>:`. Which version
 * readers use is a pointer per projection (`<prefix>{<name>}:projections:live:<name>`, in
 * the projection's slot with every version's keys), moved by one Lua script. Version numbers come from one counter and are never reused, so a version
 * seen once always means the same keys.
 */
export class RedisProjectionVersions {
  /** The live version each projection had at the last read (readers start from it). */
  private readonly seen = new Map<string, number>();
  readonly keys: VersionKeys;

  constructor(
    private readonly redis: RedisConnection,
    readonly prefix: string,
  ) {
    this.keys = versionKeys(prefix);
  }

  /** Where version `version`'s keys live. */
  prefixOf(version: number): string {
    return this.keys.prefixOf(version);
  }

  async live(name: string): Promise<number> {
    const version = Number((await this.redis.get(this.keys.live(name))) ?? 0);
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
    const record = await this.redis.hgetall(this.keys.rebuild(name));
    if (!record.version) return null;
    return { version: Number(record.version), startedAt: record.startedAt ?? '' };
  }

  /** Allocates a new version for a rebuild of `name` and records it (to resume it later). */
  async startRebuild(name: string, now = new Date()): Promise<RebuildRecord> {
    const version = await this.redis.incr(this.keys.lastVersion);
    const record = { version, startedAt: now.toISOString() };
    await this.redis.hset(this.keys.rebuild(name), {
      version: String(version),
      startedAt: record.startedAt,
    });
    return record;
  }

  async forgetRebuild(name: string): Promise<void> {
    await this.redis.del(this.keys.rebuild(name));
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
        this.keys.live(name),
        checkpointKeyOf(this.prefixOf(version)),
        checkpointKeyOf(this.prefixOf(expected)),
        this.keys.rebuild(name),
        this.keys.retired(name),
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
    const members = await this.redis.smembers(this.keys.retired(name));
    return members
      .filter((m) => m.startsWith(`${name}:`))
      .map((m) => Number(m.slice(name.length + 1)));
  }

  async forgetRetired(name: string, version: number): Promise<void> {
    await this.redis.srem(this.keys.retired(name), `${name}:${version}`);
  }

  /** Deletes every key of version n ≥ 1 (SCAN + UNLINK in batches; the keys go in the background). */
  async unlinkVersion(version: number): Promise<void> {
    if (version < 1) throw new RangeError('version 0 shares its prefix: clear its model instead');
    await unlinkKeysStartingWith(this.redis, this.prefixOf(version));
  }
}
