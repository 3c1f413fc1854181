import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LocalMasterKeyWrapper } from '../keys/key-wrapper';
import { WrappedSubjectKeyStore } from '../keys/subject-key-store';
import { SqliteWrappedKeyTable } from './sqlite-wrapped-key-table';

/** Every byte SQLite keeps on disk for this database: the file, its WAL and its journal. */
const diskBytes = (path: string) =>
  Buffer.concat(
    [path, `${path}-wal`, `${path}-journal`].filter(existsSync).map((p) => readFileSync(p)),
  );

describe('SQLite subject keys on disk', () => {
  it('leaves no byte of a destroyed wrapped key in the file or the WAL, and keeps the others', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rapport-keys-')), 'log.db');
    const table = new SqliteWrappedKeyTable({ path });
    const store = new WrappedSubjectKeyStore(table, new LocalMasterKeyWrapper(randomBytes(32)));
    // A second connection, as the event store would hold on the same file.
    const other = new Database(path);
    try {
      const subjects = Array.from({ length: 50 }, (_, i) => `customer-${i}`);
      for (const s of subjects) await store.keyFor(s);
      const wrapped = new Map<string, Buffer>();
      for (const s of subjects) wrapped.set(s, (await table.get(s))!);
      const [gone, alsoGone, kept] = ['customer-7', 'customer-31', 'customer-8'];
      // Before: in the bytes on disk (WAL or file).
      expect(diskBytes(path).includes(wrapped.get(gone)!)).toBe(true);

      expect(await store.destroy([gone, alsoGone])).toBe(2);

      const bytes = diskBytes(path);
      expect(existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`).length : 0).toBe(0);
      for (const id of [gone, alsoGone]) {
        expect(bytes.includes(wrapped.get(id)!)).toBe(false);
        // Not even a fragment: the authentication tag (the last 16 bytes) alone.
        expect(bytes.includes(wrapped.get(id)!.subarray(-16))).toBe(false);
      }
      expect(bytes.includes(wrapped.get(kept)!)).toBe(true);
      expect(other.prepare('SELECT count(*) AS n FROM subject_keys').get()).toEqual({ n: 48 });
    } finally {
      other.close();
      await store.close();
    }
  });

  it('says so when a reader keeps the WAL from being truncated, and finishes on a retry', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rapport-keys-')), 'log.db');
    const table = new SqliteWrappedKeyTable({ path, busyTimeoutMs: 50 });
    const store = new WrappedSubjectKeyStore(table, new LocalMasterKeyWrapper(randomBytes(32)));
    const reader = new Database(path);
    try {
      await store.keyFor('customer-1');
      await store.keyFor('customer-2');
      const wrapped = (await table.get('customer-1'))!;
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM subject_keys').get();
      await expect(store.destroy(['customer-1'])).rejects.toThrow(/WAL could not be truncated/);
      expect(await store.find('customer-1')).toBeUndefined();
      reader.exec('COMMIT');
      expect(await store.destroy(['customer-1'])).toBe(0);
      expect(diskBytes(path).includes(wrapped)).toBe(false);
    } finally {
      reader.close();
      await store.close();
    }
  });
});
