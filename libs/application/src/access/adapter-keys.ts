import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type PublisherScope } from '@rapport/domain';
import { type AdapterKeyRecord, type AdapterKeyStore } from '@rapport/read-models';
import { LRUCache } from 'lru-cache';

/** A key as its adapter presents it: `rk_<id>.<secret>`. */
const KEY_FORMAT = /^rk_([a-z0-9]{16})\.([A-Za-z0-9_-]{43})$/;

/** An adapter key as listed: never the secret. */
export type AdapterKeySummary = Omit<AdapterKeyRecord, 'secretHash'>;

export class UnknownAdapterKeyError extends Error {
  override readonly name = 'UnknownAdapterKeyError';
  constructor(id: string) {
    super(`no adapter key ${id}`);
  }
}

export interface AdapterKeysOptions {
  /** How long a replica trusts what it read about a key: bounds how late a revocation bites. */
  readonly cacheMs?: number;
}

/**
 * Adapter keys: created, rotated and revoked by admins, presented by adapters. The secret
 * is 256 random bits, shown once and stored only as its SHA-256 (a slow password hash buys
 * nothing against a key no one can guess; see docs/decisions/0026-access-control.md). Each
 * replica caches what it read for `cacheMs` (default 5 s), so a revocation bites everywhere
 * within that time.
 */
export class AdapterKeys {
  private readonly cache: LRUCache<string, { record: AdapterKeyRecord | null }>;

  constructor(
    private readonly store: AdapterKeyStore,
    options: AdapterKeysOptions = {},
  ) {
    this.cache = new LRUCache({ max: 10_000, ttl: options.cacheMs ?? 5000 });
  }

  /** Creates a key; the answer holds the only copy of the full key there will ever be. */
  async create(
    name: string,
    scope: PublisherScope,
    now: Date,
  ): Promise<{ key: string; record: AdapterKeySummary }> {
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const record: AdapterKeyRecord = {
      id,
      name,
      secretHash: hashOf(secret),
      scope,
      createdAt: now.toISOString(),
    };
    await this.store.put(record);
    return { key: `rk_${id}.${secret}`, record: summary(record) };
  }

  /** A new secret for the key (same id and scope); the old secret stops working. */
  async rotate(id: string, now: Date): Promise<{ key: string; record: AdapterKeySummary }> {
    const current = await this.store.get(id);
    if (!current || current.revokedAt) throw new UnknownAdapterKeyError(id);
    const secret = randomBytes(32).toString('base64url');
    const record = { ...current, secretHash: hashOf(secret), rotatedAt: now.toISOString() };
    await this.store.put(record);
    this.cache.delete(id);
    return { key: `rk_${id}.${secret}`, record: summary(record) };
  }

  async revoke(id: string, now: Date): Promise<AdapterKeySummary> {
    if (!(await this.store.get(id))) throw new UnknownAdapterKeyError(id);
    await this.store.revoke(id, now.toISOString());
    this.cache.delete(id);
    return summary((await this.store.get(id)) as AdapterKeyRecord);
  }

  async list(): Promise<AdapterKeySummary[]> {
    return (await this.store.list()).map(summary);
  }

  /** The key's record when `presented` is a valid, unrevoked key; `undefined` otherwise. */
  async authenticate(presented: string): Promise<AdapterKeyRecord | undefined> {
    const match = KEY_FORMAT.exec(presented);
    if (!match) return undefined;
    const [, id, secret] = match;
    let cached = this.cache.get(id);
    if (!cached) {
      cached = { record: (await this.store.get(id)) ?? null };
      this.cache.set(id, cached);
    }
    const record = cached.record;
    if (!record || record.revokedAt) return undefined;
    const expected = Buffer.from(record.secretHash, 'hex');
    const actual = Buffer.from(hashOf(secret), 'hex');
    return expected.length === actual.length && timingSafeEqual(expected, actual)
      ? record
      : undefined;
  }
}

function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function summary({ secretHash: _hash, ...rest }: AdapterKeyRecord): AdapterKeySummary {
  return rest;
}
