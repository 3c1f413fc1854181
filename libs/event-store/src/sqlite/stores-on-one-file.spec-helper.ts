import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from './sqlite-event-store';

/**
 * A fresh log file per test, and `store()` to open another store on it (as another process
 * would), all closed and the file removed after each test. Call inside a `describe`.
 */
export function storesOnOneFile(name: string): {
  readonly file: () => string;
  readonly store: (idIndexBatch?: number) => SqliteEventStore;
} {
  let dir: string;
  let file: string;
  const open: SqliteEventStore[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), `rapport-${name}-`));
    file = join(dir, 'log.db');
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    file: () => file,
    store: (idIndexBatch) => {
      const s = new SqliteEventStore({ path: file, idIndexBatch });
      open.push(s);
      return s;
    },
  };
}
