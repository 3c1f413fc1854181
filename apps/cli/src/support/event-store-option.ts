import { EVENT_STORE_URL_FORMS, type EventStore, openEventStore } from '@rapport/event-store';
import { type Command } from 'commander';
import { UsageError } from './usage-error';

/** The log a data-team command reads: `--store`, else RAPPORT_EVENT_STORE, else the embedded default. */
export function addStoreOption(command: Command): Command {
  return command.option(
    '--store <url>',
    `the event log (default: RAPPORT_EVENT_STORE, else sqlite:./data/rapport.db): ${EVENT_STORE_URL_FORMS}`,
  );
}

export function storeUrl(options: { store?: string }): string {
  return options.store || process.env.RAPPORT_EVENT_STORE || 'sqlite:./data/rapport.db';
}

/** Opens the log (reads upcast to the newest schema versions); a malformed URL is a usage error. */
export async function openStoreOption(options: { store?: string }): Promise<EventStore> {
  const url = storeUrl(options);
  if (!/^(sqlite|postgres|postgresql|esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):/.test(url))
    throw new UsageError(`--store ${url}: unknown kind of store; use ${EVENT_STORE_URL_FORMS}`);
  return openEventStore(url);
}
