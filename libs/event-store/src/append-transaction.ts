import type Database from 'better-sqlite3';
import type { PoolClient } from 'pg';

/**
 * The write transaction an append runs in, handed to `AppendOptions.withinTransaction` so
 * that a caller can write rows of its own (in the log's SQLite file or PostgreSQL database)
 * that commit or roll back with the events.
 */
export type AppendTransaction =
  | { readonly kind: 'sqlite'; readonly db: Database.Database }
  | { readonly kind: 'postgres'; readonly client: PoolClient };

export interface AppendOptions {
  /**
   * Runs inside the append's write transaction, before its events are planned. Whatever it
   * writes commits with the append, also when every request of it is refused or a
   * duplicate; if it throws, nothing is written and the append fails as a whole.
   *
   * - SQLite: given the store's connection inside `BEGIN IMMEDIATE`; it must be
   *   synchronous (a returned promise fails the append).
   * - PostgreSQL: given the pooled client holding the transaction, after the log's head
   *   lock is taken (so such appends are never planned without a look-up); it may be async.
   * - EventStoreDB: refused (`Error`): the log has no tables of the caller's.
   *
   * A wrapper of a store must pass it on; a caller that needs it can check it was called.
   */
  readonly withinTransaction?: (transaction: AppendTransaction) => void | Promise<void>;
}
