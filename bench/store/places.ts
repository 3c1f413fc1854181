/** Fresh places for the stores of one run — SQLite files, PostgreSQL databases — and their removal. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/** A place for a store, created empty for one run and removed with `cleanup`. */
export interface Places {
  /** Where things are, for the header. */
  readonly where: string;
  /** A fresh, empty place named after `tag` (a file path or a database URL). */
  create(tag: string): Promise<string>;
  /** Gets the engine into the same state before each measurement, where it has such a thing. */
  settle(): Promise<void>;
  cleanup(): Promise<void>;
}

/** SQLite files in a fresh temporary folder. */
export function sqlitePlaces(): Places {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-store-'));
  return {
    where: dir,
    create: async (tag) => join(dir, `${tag}.db`),
    settle: async () => undefined,
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Quotes a PostgreSQL identifier. */
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Fresh databases `<prefix>_<tag>` on the server of `adminUrl`, dropped at the end (with
 * `FORCE`, so a connection left open cannot keep one alive).
 */
export async function postgresPlaces(adminUrl: string, prefix: string): Promise<Places> {
  const admin = new Client({ connectionString: adminUrl, application_name: 'rapport-bench-store' });
  await admin.connect();
  const created: string[] = [];
  return {
    where: `${adminUrl.replace(/\/[^/?]*(\?.*)?$/, '')}/${prefix}_*`,
    create: async (tag) => {
      const name = `${prefix}_${tag}`;
      await admin.query(`CREATE DATABASE ${ident(name)}`);
      created.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    // Flush dirty pages of the previous measurement, so it does not slow down the next one.
    settle: async () => void (await admin.query('CHECKPOINT').catch(() => undefined)),
    cleanup: async () => {
      for (const name of created.splice(0))
        await admin.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
      await admin.end();
    },
  };
}
