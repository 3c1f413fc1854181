import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface SqliteConnectionOptions {
  /** `FULL` for the log (every commit on disk), `NORMAL` for what is written within it. */
  readonly synchronous: 'FULL' | 'NORMAL';
  /** How long a statement waits for another connection's lock. */
  readonly busyTimeoutMs: number;
}

/**
 * A connection to a SQLite file in WAL mode, shared with other processes: the busy timeout
 * first, then WAL.
 *
 * Turning WAL on needs the file to itself. When another connection holds it, SQLite either
 * answers `SQLITE_BUSY` at once (without waiting out the busy timeout) or leaves the journal
 * mode as it was and says so. An ingestor and a projector started together on a new log file
 * made one of them fail to start ("database is locked", about one start in fifty), or could
 * leave a connection writing with a rollback journal. So WAL is asked for again until SQLite
 * says it is on, or the busy timeout has passed. It runs once per connection, at start, which
 * is why it may wait synchronously.
 */
export function openSqliteConnection(
  path: string,
  options: SqliteConnectionOptions,
): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs)}`);
    const deadline = Date.now() + options.busyTimeoutMs;
    for (;;) {
      let mode: unknown;
      let busy: unknown = null;
      try {
        mode = db.pragma('journal_mode = WAL', { simple: true });
      } catch (error) {
        if (!isBusy(error)) throw error;
        busy = error;
      }
      // An in-memory database has no WAL, and says `memory`.
      if (mode === 'wal' || (path === ':memory:' && mode === 'memory')) break;
      if (Date.now() >= deadline)
        throw busy ?? new Error(`${path}: WAL mode could not be turned on (the file is busy)`);
      sleepSync(10);
    }
    db.pragma(`synchronous = ${options.synchronous}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

const isBusy = (error: unknown) =>
  error instanceof Database.SqliteError && error.code === 'SQLITE_BUSY';

const pause = new Int32Array(new SharedArrayBuffer(4));
const sleepSync = (ms: number) => Atomics.wait(pause, 0, 0, ms);
