/** Fresh places for the stores of one run — SQLite files, PostgreSQL databases — and their removal. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  /**
   * CPU milliseconds used so far by the server processes serving `place`, by process id,
   * where the engine is a server on this machine whose processes can be read; undefined
   * otherwise (SQLite runs inside Node).
   */
  serverCpu(place: string): Promise<Map<number, number> | undefined>;
  /**
   * Bytes written so far for the stores of this engine: for SQLite, what this process passed
   * to write calls (`wchar` of /proc/self/io: WAL frames and checkpoints, Emmett's driver
   * threads included); for PostgreSQL, the server's WAL position (the whole cluster's, so
   * other databases' writes during a turn count too). Undefined where it cannot be read.
   */
  written(): Promise<number | undefined>;
  cleanup(): Promise<void>;
}

/** SQLite files in a fresh temporary folder. */
export function sqlitePlaces(): Places {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-bench-store-'));
  return {
    where: dir,
    create: async (tag) => join(dir, `${tag}.db`),
    settle: async () => undefined,
    serverCpu: async () => undefined,
    written: async () => {
      try {
        const io = readFileSync('/proc/self/io', 'utf8');
        return Number(/^wchar: (\d+)$/m.exec(io)?.[1]);
      } catch {
        return undefined;
      }
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Linux clock ticks per second (`getconf CLK_TCK`), the unit of /proc/<pid>/stat's times. */
const TICKS_PER_SECOND = 100;

/** User + system CPU ms of a PostgreSQL backend from /proc; undefined when it is not one here. */
function backendCpuMs(pid: number): number | undefined {
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('postgres')) return undefined;
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
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
    // The backends connected to the place's database (a server in a container has other pids
    // than /proc shows: then nothing).
    serverCpu: async (place) => {
      const { rows } = await admin.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = $1',
        [new URL(place).pathname.slice(1)],
      );
      const cpu = new Map<number, number>();
      for (const { pid } of rows) {
        const ms = backendCpuMs(pid);
        if (ms === undefined) return undefined;
        cpu.set(pid, ms);
      }
      return cpu;
    },
    written: async () => {
      const { rows } = await admin.query<{ bytes: string }>(
        "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::text AS bytes",
      );
      return Number(rows[0].bytes);
    },
    cleanup: async () => {
      for (const name of created.splice(0))
        await admin.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
      await admin.end();
    },
  };
}
