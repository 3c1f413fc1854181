import { resolve } from 'node:path';
import { type EventStore } from './event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

/**
 * Opens the event store a URL names: `sqlite:./data/rapport.db` (relative to the working
 * directory), `sqlite:/abs/path.db` or `sqlite::memory:`. PostgreSQL (`postgres://…`) and
 * EventStoreDB (`esdb://…`) adapters plug in here.
 */
export function openEventStore(url: string): EventStore {
  const scheme = url.slice(0, url.indexOf(':'));
  switch (scheme) {
    case 'sqlite': {
      const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
      if (!path)
        throw new Error(`RAPPORT_EVENT_STORE=${url}: name a file, e.g. sqlite:./data/rapport.db`);
      return new SqliteEventStore({ path: path === ':memory:' ? path : resolve(path) });
    }
    case 'postgres':
    case 'postgresql':
    case 'esdb':
    case 'kurrentdb':
      throw new Error(
        `RAPPORT_EVENT_STORE=${url}: the ${scheme} adapter is not available yet; use sqlite:<file>`,
      );
    default:
      throw new Error(`RAPPORT_EVENT_STORE=${url}: unknown store; use sqlite:<file>`);
  }
}
