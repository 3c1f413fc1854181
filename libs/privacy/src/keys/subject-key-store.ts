import { type AppendTransaction } from '@rapport/event-store';
import { LRUCache } from 'lru-cache';
import { assertSubjectId, DATA_KEY_BYTES, type DataKey } from './data-key';
import { type KeyWrapper } from './key-wrapper';
import { randomPool } from './random-pool';
import { type Erasures, type WrappedKeyTable } from './wrapped-key-table';

/**
 * The data keys of data subjects (customers), for crypto-shredding: destroying a subject's
 * key makes every field encrypted with it unreadable, in the log and in every copy of it.
 * docs/decisions/0027-crypto-shredding-keys.md
 */
export interface SubjectKeyStore {
  /** The subject's key, created on first use; concurrent callers (and processes) get the same key. */
  keyFor(subjectId: string): Promise<DataKey>;
  /** `keyFor` of many subjects, the missing keys created in one durable write. */
  keysFor(subjectIds: readonly string[]): Promise<Map<string, DataKey>>;
  /**
   * Present when the keys live in the log's own database: `keysFor` without the write — the
   * missing keys are made, and stored by the log's append of what they encrypt, in its own
   * transaction (`KeysForAppend.storeWithin`), so they commit or roll back together.
   */
  keysForAppend?(subjectIds: readonly string[]): Promise<KeysForAppend>;
  /** The subject's key, or undefined when it never existed or was destroyed. */
  find(subjectId: string): Promise<DataKey | undefined>;
  /** `find` of many subjects in one read of the table (subjects without a key are left out). */
  findMany(subjectIds: readonly string[]): Promise<Map<string, DataKey>>;
  /**
   * Deletes the subjects' keys for good. A later `keyFor` creates a new, different key:
   * whether an erased subject may come back is the caller's decision (suppression).
   * Returns how many keys existed.
   */
  destroy(subjectIds: readonly string[]): Promise<number>;
  /**
   * Which of the subjects had a key destroyed at least once (since the erasure log exists):
   * a ciphertext of theirs that their key does not open was sealed under a destroyed key.
   */
  erasedAmong?(subjectIds: readonly string[]): Promise<Set<string>>;
  close(): Promise<void>;
}

/** The keys of an append's subjects, the new ones not stored yet. */
export interface KeysForAppend {
  /** Every subject's key: those found, and the new ones. */
  readonly keys: ReadonlyMap<string, DataKey>;
  /** How many keys are new (and must be stored with the append). */
  readonly created: number;
  /**
   * Stores the new keys inside the log's append transaction; throws `KeyRaceError` when
   * another writer stored a key of one of these subjects first (the append then fails whole,
   * and is sealed again with `keysFor`, which finds the winner's key).
   */
  storeWithin(transaction: AppendTransaction): void | Promise<void>;
  /**
   * Stores the new keys in a write of their own, for an append that did not run
   * `storeWithin`; throws when another writer's key is already there for one of them.
   */
  storeAlone(): Promise<void>;
  /** Once the append committed: the new keys are cached as the subjects' keys. */
  committed(): void;
}

export interface SubjectKeyStoreOptions {
  /** Unwrapped keys kept in memory; default 10,000. */
  readonly cacheSize?: number;
  /**
   * How long a key stays cached; default 60 s. It bounds memory, not erasure: every call
   * reads the erasures recorded since its last look before it answers from the cache.
   */
  readonly cacheTtlMs?: number;
}

/**
 * A `SubjectKeyStore` over a table of wrapped keys, with an LRU cache of unwrapped ones.
 * Every lookup reads the table's erasure log after the last erasure it has seen (with the
 * keys it has to read anyway, in one statement where the table allows) and evicts those
 * subjects before it answers from the cache: a destroy in any process is seen by every other
 * at its next call. docs/decisions/0046-erasure-reaches-every-process-cache.md
 */
export class WrappedSubjectKeyStore implements SubjectKeyStore {
  private readonly cache: LRUCache<string, DataKey>;
  private readonly creating = new Map<string, Promise<DataKey>>();
  /**
   * Bumped by every destroy here and by every erasure read from the table: a lookup that
   * read the table before either does not fill the cache.
   */
  private epoch = 0;
  /** The last erasure read from the table; undefined until the first lookup asks. */
  private seen: number | undefined;
  private starting: Promise<void> | undefined;

  readonly keysForAppend?: (subjectIds: readonly string[]) => Promise<KeysForAppend>;

  constructor(
    private readonly table: WrappedKeyTable,
    private readonly wrapper: KeyWrapper,
    options: SubjectKeyStoreOptions = {},
  ) {
    this.cache = new LRUCache({
      max: options.cacheSize ?? 10_000,
      ttl: options.cacheTtlMs ?? 60_000,
    });
    if (table.insertWithin) this.keysForAppend = (ids) => this.prepareForAppend(ids);
  }

  async keyFor(subjectId: string): Promise<DataKey> {
    assertSubjectId(subjectId);
    const { keys, epoch } = await this.lookup([subjectId]);
    const found = keys.get(subjectId);
    if (found) return found;
    const pending = this.creating.get(subjectId);
    if (pending) return pending;
    const created = this.create(subjectId, epoch).finally(() => this.creating.delete(subjectId));
    this.creating.set(subjectId, created);
    return created;
  }

  async find(subjectId: string): Promise<DataKey | undefined> {
    assertSubjectId(subjectId);
    return (await this.lookup([subjectId])).keys.get(subjectId);
  }

  async keysFor(subjectIds: readonly string[]): Promise<Map<string, DataKey>> {
    subjectIds.forEach(assertSubjectId);
    const unique = [...new Set(subjectIds)];
    const { keys, epoch } = await this.lookup(unique);
    const missing = unique.filter((id) => !keys.has(id));
    if (missing.length === 0) return keys;
    const fresh = missing.map(() => randomPool.take(DATA_KEY_BYTES));
    const wrapped = await Promise.all(missing.map((id, i) => this.wrapper.wrap(fresh[i], id)));
    const kept = await this.table.insertManyIfAbsent(
      missing.map((subjectId, i) => ({ subjectId, wrapped: wrapped[i] })),
    );
    await Promise.all(
      missing.map(async (id, i) => {
        // Another writer's key won the insert: that one is the subject's key.
        const bytes = kept[i].equals(wrapped[i])
          ? fresh[i]
          : await this.wrapper.unwrap(kept[i], id);
        keys.set(id, this.remember(id, bytes, epoch));
      }),
    );
    return keys;
  }

  async findMany(subjectIds: readonly string[]): Promise<Map<string, DataKey>> {
    subjectIds.forEach(assertSubjectId);
    return (await this.lookup([...new Set(subjectIds)])).keys;
  }

  async destroy(subjectIds: readonly string[]): Promise<number> {
    subjectIds.forEach(assertSubjectId);
    this.epoch += 1;
    for (const id of subjectIds) this.cache.delete(id);
    try {
      return await this.table.delete([...new Set(subjectIds)]);
    } finally {
      // Again after the delete: a lookup that read the row before it was deleted may have
      // finished in between.
      for (const id of subjectIds) this.cache.delete(id);
      this.epoch += 1;
    }
  }

  erasedAmong(subjectIds: readonly string[]): Promise<Set<string>> {
    subjectIds.forEach(assertSubjectId);
    return this.table.erasedAmong([...new Set(subjectIds)]);
  }

  async close(): Promise<void> {
    this.cache.clear();
    await this.table.close();
  }

  /**
   * The keys of `subjectIds` (distinct) that exist, cached ones only once the erasures since
   * the last look are applied; and the epoch under which what this read found may be cached.
   */
  private async lookup(
    subjectIds: readonly string[],
  ): Promise<{ keys: Map<string, DataKey>; epoch: number }> {
    if (this.seen === undefined) await this.start();
    const keys = new Map<string, DataKey>();
    let wanted = subjectIds;
    for (;;) {
      const uncached: string[] = [];
      for (const id of wanted) {
        const cached = this.cache.get(id);
        if (cached) keys.set(id, cached);
        else uncached.push(id);
      }
      const read = await this.table.getManyAfter(uncached, this.seen as number);
      const epoch = this.applyErasures(read.erasures);
      // Keys answered from the cache but erased since: read again (rare, so not folded).
      const again = read.erasures.subjectIds.filter((id) => keys.delete(id));
      await Promise.all(
        [...read.keys].map(async ([id, row]) =>
          keys.set(id, this.remember(id, await this.wrapper.unwrap(row, id), epoch)),
        ),
      );
      if (again.length === 0) return { keys, epoch };
      wanted = again;
    }
  }

  /** Evicts the subjects erased since the last look; returns the epoch the read may cache under. */
  private applyErasures(erasures: Erasures): number {
    const seen = this.seen as number;
    // A read older than one already applied: its keys may predate erasures applied since.
    if (erasures.last < seen) return -1;
    if (erasures.last > seen) {
      for (const id of erasures.subjectIds) this.cache.delete(id);
      this.seen = erasures.last;
      this.epoch += 1;
    }
    return this.epoch;
  }

  /** The first lookup of every caller waits for one read of where the erasure log ends. */
  private start(): Promise<void> {
    this.starting ??= this.table.lastErasure().then(
      (last) => {
        this.seen ??= last;
      },
      (error: unknown) => {
        this.starting = undefined;
        throw error;
      },
    );
    return this.starting;
  }

  private async prepareForAppend(subjectIds: readonly string[]): Promise<KeysForAppend> {
    subjectIds.forEach(assertSubjectId);
    const unique = [...new Set(subjectIds)];
    const { keys, epoch } = await this.lookup(unique);
    const missing = unique.filter((id) => !keys.has(id));
    const fresh = missing.map((subjectId) =>
      Object.freeze({ subjectId, bytes: randomPool.take(DATA_KEY_BYTES) }),
    );
    const wrapped = await Promise.all(fresh.map((k) => this.wrapper.wrap(k.bytes, k.subjectId)));
    for (const key of fresh) keys.set(key.subjectId, key);
    const rows = fresh.map((k, i) => ({ subjectId: k.subjectId, wrapped: wrapped[i] }));
    const table = this.table;
    return {
      keys,
      created: fresh.length,
      storeWithin: (transaction) =>
        rows.length > 0 ? table.insertWithin?.(transaction, rows) : undefined,
      storeAlone: async () => {
        const kept = await table.insertManyIfAbsent(rows);
        const lost = rows.filter((r, i) => !kept[i].equals(r.wrapped)).map((r) => r.subjectId);
        if (lost.length > 0)
          throw new Error(
            `events were appended under data keys another writer replaced (${lost.length} subject(s)): a store between the protection and the log dropped withinTransaction`,
          );
      },
      committed: () => {
        // Not after a destroy or an erasure read since: its subjects' keys must not come back.
        if (epoch === this.epoch) for (const key of fresh) this.cache.set(key.subjectId, key);
      },
    };
  }

  /** A new key for a subject the lookup under `epoch` did not find (or another writer's). */
  private async create(subjectId: string, epoch: number): Promise<DataKey> {
    const fresh = randomPool.take(DATA_KEY_BYTES);
    const wrapped = await this.wrapper.wrap(fresh, subjectId);
    const kept = await this.table.insertIfAbsent(subjectId, wrapped);
    const bytes = kept.equals(wrapped) ? fresh : await this.wrapper.unwrap(kept, subjectId);
    return this.remember(subjectId, bytes, epoch);
  }

  private remember(subjectId: string, bytes: Buffer, epoch: number): DataKey {
    const key: DataKey = Object.freeze({ subjectId, bytes });
    if (epoch === this.epoch) this.cache.set(subjectId, key);
    return key;
  }
}
