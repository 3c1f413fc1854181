import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChildProcess, spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { openSqliteConnection } from './sqlite-connection';
import { SqliteEventStore } from './sqlite-event-store';

/**
 * Another process holding a new log file, as an ingestor does while it creates the schema
 * and a projector started at the same moment opens the file. (A worker thread would not do:
 * SQLite's file locks do not keep apart connections of one process.)
 */
async function holdFile(path: string, holdMs: number): Promise<ChildProcess> {
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `
      const Database = require(process.argv[1]);
      const db = new Database(process.argv[2]);
      db.exec('CREATE TABLE held (x)');
      db.exec('BEGIN EXCLUSIVE');
      db.exec('INSERT INTO held VALUES (1)');
      process.stdout.write('locked\\n');
      setTimeout(() => { db.exec('COMMIT'); db.close(); }, Number(process.argv[3]));
      `,
      require.resolve('better-sqlite3'),
      path,
      String(holdMs),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    holder.stdout?.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`the holder exited (${code})`)));
  });
  return holder;
}

describe('opening a SQLite file another connection holds', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rapport-sqlite-open-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('waits for it, and the log is then in WAL mode and works', async () => {
    const path = join(dir, 'log.db');
    const holder = await holdFile(path, 300);
    const started = Date.now();
    const store = new SqliteEventStore({ path });
    const waited = Date.now() - started;
    try {
      expect(waited).toBeGreaterThanOrEqual(100);
      const other = new Database(path);
      expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
      other.close();
      await store.append('customer-1', [{ id: crypto.randomUUID(), type: 't.v1', data: {} }]);
      expect(await store.readAll()).toHaveLength(1);
    } finally {
      await store.close();
      holder.kill();
    }
  });

  it('gives up after its busy timeout instead of going on without WAL', async () => {
    const path = join(dir, 'log.db');
    const holder = await holdFile(path, 2_000);
    const started = Date.now();
    try {
      expect(() => openSqliteConnection(path, { synchronous: 'FULL', busyTimeoutMs: 150 })).toThrow(
        /database is locked|the file is busy/,
      );
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      holder.kill();
    }
  });
});
