import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_STORE_URL_FORMS, type EventStore, openEventStore } from '@rapport/event-store';
import {
  openPersonalData,
  openProtectedEventStore,
  type PersonalData,
  PRIVACY_VARIABLES,
  type PrivacySettings,
  privacySettingsFrom,
} from '@rapport/privacy';
import { type Command } from 'commander';
import { UsageError } from './usage-error';

const DEFAULT_STORE = 'sqlite:./data/rapport.db';

/** The log a data-team command reads: `--store`, else RAPPORT_EVENT_STORE, else the embedded default. */
export function addStoreOption(command: Command): Command {
  return command.option(
    '--store <url>',
    `the event log (default: RAPPORT_EVENT_STORE, else ${DEFAULT_STORE}): ${EVENT_STORE_URL_FORMS}`,
  );
}

export function storeUrl(options: { store?: string }): string {
  return options.store || process.env.RAPPORT_EVENT_STORE || DEFAULT_STORE;
}

/**
 * The personal-data settings a command uses: the configured ones, else those `rapport dev`
 * made beside the embedded default log (`./data/secrets/`); null when `RAPPORT_PRIVACY=off`.
 */
function privacySettingsOption(url: string): PrivacySettings | null {
  let env = process.env;
  const devSecrets = join('data', 'secrets');
  if (!env.RAPPORT_MASTER_KEY && !env.RAPPORT_MASTER_KEY_FILE && url === DEFAULT_STORE) {
    if (existsSync(join(devSecrets, 'master.key')))
      env = {
        ...env,
        RAPPORT_MASTER_KEY_FILE: join(devSecrets, 'master.key'),
        RAPPORT_IDENTITY_PEPPER_FILE: join(devSecrets, 'identity-pepper.key'),
      };
  }
  const settings = privacySettingsFrom(env);
  if (settings === 'off') return null;
  if (settings === undefined)
    throw new UsageError(
      `the log's personal data is encrypted: set ${PRIVACY_VARIABLES} (RAPPORT_PRIVACY=off reads a log kept in plaintext)`,
    );
  return settings;
}

/** The personal-data keys of the log at `url` (see `privacySettingsOption`); null when off. */
export async function openPersonalDataOption(url: string): Promise<PersonalData | null> {
  const settings = privacySettingsOption(url);
  return settings && openPersonalData(settings, url);
}

/**
 * Opens the log (reads upcast to the newest schema versions, personal fields decrypted, an
 * erased person's as erased); a malformed URL is a usage error.
 */
export async function openStoreOption(options: { store?: string }): Promise<EventStore> {
  const url = storeUrl(options);
  if (!/^(sqlite|postgres|postgresql|esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):/.test(url))
    throw new UsageError(`--store ${url}: unknown kind of store; use ${EVENT_STORE_URL_FORMS}`);
  const settings = privacySettingsOption(url);
  return settings ? openProtectedEventStore(settings, url) : openEventStore(url);
}
