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
  get(subjectId: string): Promise<Buffer | undefined>;
  /** The wrapped keys of the subjects that have one. */
  getMany(subjectIds: readonly string[]): Promise<Map<string, Buffer>>;
  /**
   * Deletes the subjects' rows and does what the store allows so the bytes are gone
   * (see each adapter). Returns how many rows were deleted.
   */
  delete(subjectIds: readonly string[]): Promise<number>;
  close(): Promise<void>;
}
