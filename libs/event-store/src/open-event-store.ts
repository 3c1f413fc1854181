import { resolve } from 'node:path';
import { upcastToLatest } from '@rapport/domain';
import { esdbEventStoreFromUrl } from './esdb';
import { type EventStore } from './event-store';
import { postgresEventStoreFromUrl } from './postgres/postgres-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';
import { withUpcasting } from './upcasting/upcasting-event-store';

/** The stores a URL can name, for error messages. */
export const EVENT_STORE_URL_FORMS =
  'sqlite:<file>, postgres://user@host:5432/db[?schema=rapport], esdb://host:2113?tls=false';

export interface OpenEventStoreOptions {
  /**
   * The log exactly as stored, without upcasting (for copying it between stores). By
   * default every read hands out events in the newest schema version of their type.
   */
  readonly raw?: boolean;
}

/**
 * Opens the event store a URL names (`RAPPORT_EVENT_STORE`, and the CLI's `--from`/`--to`):
 * `sqlite:./data/rapport.db` (relative to the working directory), `sqlite:/abs/path.db`,
 * `sqlite::memory:`, `postgres://…` / `postgresql://…` (schema created on first use), or
 * `esdb://…` / `kurrentdb://…` (EventStoreDB / KurrentDB). Reads are upcast to the newest
 * schema versions (`withUpcasting` with the domain's `upcastToLatest`) unless `raw` is asked for.
 */
export async function openEventStore(
  url: string,
  options: OpenEventStoreOptions = {},
): Promise<EventStore> {
  const store = await openStore(url);
  return options.raw ? store : withUpcasting(store, upcastToLatest);
}

async function openStore(url: string): Promise<EventStore> {
  const colon = url.indexOf(':');
  const scheme = colon < 0 ? url : url.slice(0, colon);
  switch (scheme) {
    case 'sqlite': {
      const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
      if (!path) throw new Error(`event store ${url}: name a file, e.g. sqlite:./data/rapport.db`);
      return new SqliteEventStore({ path: path === ':memory:' ? path : resolve(path) });
    }
    case 'postgres':
    case 'postgresql':
      return postgresEventStoreFromUrl(url);
    case 'esdb':
    case 'esdb+discover':
    case 'kurrentdb':
    case 'kurrentdb+discover':
      return esdbEventStoreFromUrl(url);
    default:
      throw new Error(`event store ${url}: unknown kind of store; use ${EVENT_STORE_URL_FORMS}`);
  }
}
