import type Database from 'better-sqlite3';
import { type AppendTransaction, openSqliteConnection } from '@rapport/event-store';
import { type Erasures, KeyRaceError, type WrappedKeyTable } from '../keys/wrapped-key-table';

export interface SqliteWrappedKeyTableOptions {
  /** The database file (the log's own file or one beside it), or `:memory:`. */
  readonly path: string;
  /** How long a write or the post-destroy checkpoint waits for other connections; default 10 s. */
  readonly busyTimeoutMs?: number;
  /**
   * `own` (default): every key insert is synced. `with-log`: the table is in the log's own
   * file, and a new key is always followed by the log's append of what it encrypts, whose
   * synced commit writes the shared WAL to disk up to and including the key: inserts are not
   * synced on their own (SQLite `synchronous = NORMAL` on this connection), which saves one
   * disk sync per batch of new customers. A crash before that append loses only keys of data
   * that is not in the log either. Deletes are synced either way.
   */
  readonly durability?: 'own' | 'with-log';
}

const INSERT =
  'INSERT INTO subject_keys (subject_id, wrapped, created_at) VALUES (?, ?, ?) ON CONFLICT (subject_id) DO NOTHING';

/** The insert prepared on a log's connection, once per connection. */
const insertsOn = new WeakMap<Database.Database, Database.Statement<[string, Buffer, string]>>();

const SCHEMA = `
CREATE TABLE IF NOT EXISTS subject_keys (
  subject_id  TEXT NOT NULL PRIMARY KEY,
  wrapped     BLOB NOT NULL,
  created_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS subject_key_erasures (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  subject_id  TEXT NOT NULL,
  erased_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS subject_key_erasures_subject ON subject_key_erasures (subject_id);`;

/**
 * Wrapped keys in a SQLite table. Deleted rows are zeroed (`secure_delete`), and the WAL,
 * which still holds the pages as they were, is checkpointed and truncated after each
 * delete: the key bytes are then in neither file.
 */
export class SqliteWrappedKeyTable implements WrappedKeyTable {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[string, Buffer, string]>;
  /** The inserted row's key, or nothing when the subject already had one. */
  private readonly insertReturning: Database.Statement<
    [string, Buffer, string],
    { wrapped: Buffer }
  >;
  private readonly select: Database.Statement<[string], { wrapped: Buffer }>;
  /** Many subjects in one statement (a JSON array of ids): a batch reads its keys in one step. */
  private readonly selectMany: Database.Statement<
    [string],
    { subject_id: string; wrapped: Buffer }
  >;
  private readonly remove: Database.Statement<[string]>;
  private readonly recordErasure: Database.Statement<[string, string]>;
  private readonly erasuresAfter: Database.Statement<[number], { seq: number; subject_id: string }>;
  private readonly lastSeq: Database.Statement<[], { last: number | null }>;
  private readonly erasedIn: Database.Statement<[string], { subject_id: string }>;
  readonly insertWithin?: WrappedKeyTable['insertWithin'];

  constructor(options: SqliteWrappedKeyTableOptions) {
    this.db = openSqliteConnection(options.path, {
      synchronous: options.durability === 'with-log' ? 'NORMAL' : 'FULL',
      busyTimeoutMs: options.busyTimeoutMs ?? 10_000,
    });
    // Per connection: every delete through this one overwrites the freed content with zeros.
    this.db.pragma('secure_delete = ON');
    this.db.exec(SCHEMA);
    this.insert = this.db.prepare(INSERT);
    if (options.durability === 'with-log') this.insertWithin = insertWithinSqlite;
    this.insertReturning = this.db.prepare(
      'INSERT INTO subject_keys (subject_id, wrapped, created_at) VALUES (?, ?, ?) ON CONFLICT (subject_id) DO NOTHING RETURNING wrapped',
    );
    this.select = this.db.prepare('SELECT wrapped FROM subject_keys WHERE subject_id = ?');
    this.selectMany = this.db.prepare(
      'SELECT subject_id, wrapped FROM subject_keys WHERE subject_id IN (SELECT value FROM json_each(?))',
    );
    this.remove = this.db.prepare('DELETE FROM subject_keys WHERE subject_id = ?');
    this.recordErasure = this.db.prepare(
      'INSERT INTO subject_key_erasures (subject_id, erased_at) VALUES (?, ?)',
    );
    this.erasuresAfter = this.db.prepare(
      'SELECT seq, subject_id FROM subject_key_erasures WHERE seq > ? ORDER BY seq',
    );
    this.lastSeq = this.db.prepare('SELECT max(seq) AS last FROM subject_key_erasures');
    this.erasedIn = this.db.prepare(
      'SELECT DISTINCT subject_id FROM subject_key_erasures WHERE subject_id IN (SELECT value FROM json_each(?))',
    );
  }

  async insertIfAbsent(subjectId: string, wrapped: Buffer): Promise<Buffer> {
    return this.db
      .transaction(() => {
        this.insert.run(subjectId, wrapped, new Date().toISOString());
        return this.select.get(subjectId)!.wrapped;
      })
      .immediate();
  }

  async insertManyIfAbsent(
    rows: readonly { subjectId: string; wrapped: Buffer }[],
  ): Promise<Buffer[]> {
    const now = new Date().toISOString();
    return this.db
      .transaction(() =>
        rows.map(
          ({ subjectId, wrapped }) =>
            // Another writer's key, already there, is read back: the first writer wins.
            (this.insertReturning.get(subjectId, wrapped, now) ?? this.select.get(subjectId)!)
              .wrapped,
        ),
      )
      .immediate();
  }

  async get(subjectId: string): Promise<Buffer | undefined> {
    return this.select.get(subjectId)?.wrapped;
  }

  async getMany(subjectIds: readonly string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    if (subjectIds.length === 0) return found;
    for (const row of this.selectMany.iterate(JSON.stringify(subjectIds)))
      found.set(row.subject_id, row.wrapped);
    return found;
  }

  async getManyAfter(
    subjectIds: readonly string[],
    after: number,
  ): Promise<{ keys: Map<string, Buffer>; erasures: Erasures }> {
    // The erasures before the keys: a destroy committed in between shows in the keys (gone)
    // and is reported by the next read, so no key returned is older than the erasures.
    const rows = this.erasuresAfter.all(after);
    const erasures: Erasures = {
      subjectIds: rows.map((r) => r.subject_id),
      last: rows.length > 0 ? rows[rows.length - 1].seq : after,
    };
    return { keys: await this.getMany(subjectIds), erasures };
  }

  async lastErasure(): Promise<number> {
    return this.lastSeq.get()?.last ?? 0;
  }

  async erasedAmong(subjectIds: readonly string[]): Promise<Set<string>> {
    if (subjectIds.length === 0) return new Set();
    return new Set(this.erasedIn.all(JSON.stringify(subjectIds)).map((r) => r.subject_id));
  }

  async delete(subjectIds: readonly string[]): Promise<number> {
    const now = new Date().toISOString();
    // SQLite has one writer at a time: sequence numbers (AUTOINCREMENT, never reused) grow
    // in commit order.
    const deleted = this.db
      .transaction(() =>
        subjectIds.reduce((n, id) => {
          this.recordErasure.run(id, now);
          return n + this.remove.run(id).changes;
        }, 0),
      )
      .immediate();
    // Also when nothing was deleted: a destroy retried after a busy checkpoint finishes it.
    if (subjectIds.length > 0) this.truncateWal();
    return deleted;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** Copies the WAL into the file and empties it; fails loudly if a reader keeps that from happening. */
  private truncateWal(): void {
    const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as {
      busy: number;
      log: number;
      checkpointed: number;
    }[];
    if (result && result.busy !== 0) {
      throw new Error(
        'subject keys deleted, but the WAL could not be truncated (a reader holds it): the deleted key bytes may remain in the -wal file until the next checkpoint',
      );
    }
  }
}

/** `insertWithin` of a table in the log's own SQLite file: the log's connection, in its transaction. */
function insertWithinSqlite(
  transaction: AppendTransaction,
  rows: readonly { subjectId: string; wrapped: Buffer }[],
): void {
  if (transaction.kind !== 'sqlite') throw new Error('subject keys in SQLite: not a SQLite log');
  let insert = insertsOn.get(transaction.db);
  if (!insert) insertsOn.set(transaction.db, (insert = transaction.db.prepare(INSERT)));
  const now = new Date().toISOString();
  const raced = rows.filter((r) => insert.run(r.subjectId, r.wrapped, now).changes === 0);
  if (raced.length > 0) throw new KeyRaceError(raced.map((r) => r.subjectId));
}
