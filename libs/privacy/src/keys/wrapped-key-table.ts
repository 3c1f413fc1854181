import { type AppendTransaction } from '@rapport/event-store';

/**
 * Where wrapped data keys are kept: one row per subject, deleted for real. The adapters
 * (SQLite, PostgreSQL, memory) implement this; `SubjectKeyStore` adds wrapping and the cache.
 */
export interface WrappedKeyTable {
  /**
   * Stores `wrapped` for the subject unless a key is already there, and returns the one
   * that is kept: the first writer wins, in this process and across processes.
   */
  insertIfAbsent(subjectId: string, wrapped: Buffer): Promise<Buffer>;
  /**
   * `insertIfAbsent` for many subjects in one durable write (one transaction): returns the
   * kept key of each row, in order. A batch of new customers costs one commit, not one each.
   */
  insertManyIfAbsent(rows: readonly { subjectId: string; wrapped: Buffer }[]): Promise<Buffer[]>;
  /**
   * Present when the table lives in the log's own database (its SQLite file, its PostgreSQL
   * schema): stores the rows with the connection of the log's append transaction, so the
   * keys commit (or roll back) with the events they encrypt. Throws `KeyRaceError` when
   * another writer stored a key of one of the subjects first; the append then fails whole.
   * Synchronous for SQLite, as the log's transaction there is.
   */
  insertWithin?(
    transaction: AppendTransaction,
    rows: readonly { subjectId: string; wrapped: Buffer }[],
  ): void | Promise<void>;
  get(subjectId: string): Promise<Buffer | undefined>;
  /** The wrapped keys of the subjects that have one. */
  getMany(subjectIds: readonly string[]): Promise<Map<string, Buffer>>;
  /**
   * `getMany`, and the erasures recorded after the sequence number `after`, read so that no
   * key returned is older than the erasures returned (one snapshot, or the erasures first).
   * With no subjects, the erasures alone. docs/decisions/0046-erasure-reaches-every-process-cache.md
   */
  getManyAfter(
    subjectIds: readonly string[],
    after: number,
  ): Promise<{ keys: Map<string, Buffer>; erasures: Erasures }>;
  /** The sequence number of the last erasure recorded; 0 when there is none. */
  lastErasure(): Promise<number>;
  /** Which of the subjects the erasure log names: their keys were destroyed at least once. */
  erasedAmong(subjectIds: readonly string[]): Promise<Set<string>>;
  /**
   * Deletes the subjects' rows and does what the store allows so the bytes are gone
   * (see each adapter), and records every subject in the erasure log, in the same
   * transaction, under sequence numbers that grow in commit order: a reader that has seen
   * number n never sees a smaller one committed later. Returns how many rows were deleted.
   */
  delete(subjectIds: readonly string[]): Promise<number>;
  close(): Promise<void>;
}

/** Erasures read from the erasure log after a sequence number. */
export interface Erasures {
  /** The subjects erased since, oldest first (one may be erased more than once). */
  readonly subjectIds: readonly string[];
  /** The last sequence number the read saw: the `after` it was given when there was none. */
  readonly last: number;
}

/** Another writer stored a key for these subjects first: theirs is the subjects' key. */
export class KeyRaceError extends Error {
  constructor(readonly subjectIds: readonly string[]) {
    super(`another writer stored the data keys of ${subjectIds.length} subject(s) first`);
    this.name = 'KeyRaceError';
  }
}
