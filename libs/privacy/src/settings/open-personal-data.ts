import { resolve } from 'node:path';
import { BoundedMemo, type IdentityHasher } from '@rapport/domain';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { BlindIndex } from '../blind-index/blind-index';
import { withPersonalDataProtection } from '../event-log/protected-event-store';
import { LocalMasterKeyWrapper } from '../keys/key-wrapper';
import { type SubjectKeyStore, WrappedSubjectKeyStore } from '../keys/subject-key-store';
import { type WrappedKeyTable } from '../keys/wrapped-key-table';
import { MemoryWrappedKeyTable } from '../memory/memory-wrapped-key-table';
import { PostgresWrappedKeyTable } from '../postgres/postgres-wrapped-key-table';
import { SqliteWrappedKeyTable } from '../sqlite/sqlite-wrapped-key-table';
import { type PrivacySettings } from './privacy-settings';

/** What the platform protects personal data with: the data keys and the blind index. */
export interface PersonalData {
  readonly keys: SubjectKeyStore;
  readonly blindIndex: BlindIndex;
  /** The domain's view of the blind index. */
  readonly hashIdentity: IdentityHasher;
  /** The log with personal fields encrypted on append and decrypted on read. */
  protect(store: EventStore): EventStore;
  close(): Promise<void>;
}

/** Where the data keys of a log live when not named: beside it, in its own database. */
export function defaultKeysUrl(eventStoreUrl: string): string {
  if (eventStoreUrl.startsWith('sqlite:')) {
    return eventStoreUrl === 'sqlite::memory:' ? 'memory' : eventStoreUrl;
  }
  if (/^postgres(ql)?:/.test(eventStoreUrl)) return eventStoreUrl;
  throw new Error(
    `${eventStoreUrl.split(':')[0]} has no table where keys can really be deleted: name one with RAPPORT_SUBJECT_KEYS (sqlite:<file> or postgres://…)`,
  );
}

/**
 * `durability`: `with-log` when the keys live in the log's own database, whose next commit
 * (the append of what a new key encrypts) makes the key durable too.
 */
async function openKeyTable(url: string, durability: 'own' | 'with-log'): Promise<WrappedKeyTable> {
  if (url === 'memory') return new MemoryWrappedKeyTable();
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return path === ':memory:'
      ? new MemoryWrappedKeyTable()
      : new SqliteWrappedKeyTable({ path: resolve(path), durability });
  }
  if (/^postgres(ql)?:/.test(url)) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema') ?? undefined;
    parsed.searchParams.delete('schema');
    return PostgresWrappedKeyTable.open({
      connectionString: parsed.toString(),
      schema,
      durability,
    });
  }
  throw new Error(`subject keys ${url.split(':')[0]}: use sqlite:<file>, postgres://… or memory`);
}

/**
 * The pseudonyms of recently seen identities, kept: people write again, and an HMAC is not
 * free. The domain's bounded memo, not an LRU: on the ingest path an LRU's bookkeeping cost
 * half as much as the HMAC it saved (docs/decisions/0060).
 */
function remembered(hash: IdentityHasher): IdentityHasher {
  const seen = new BoundedMemo(100_000, hash);
  return (identityKey) => seen.get(identityKey);
}

/** Opens the key table (beside the log unless `keysUrl` names one) and the blind index. */
export async function openPersonalData(
  settings: PrivacySettings,
  eventStoreUrl: string,
): Promise<PersonalData> {
  const wrapper = LocalMasterKeyWrapper.fromBase64(settings.masterKey, settings.sealFormat);
  const blindIndex = BlindIndex.fromBase64(settings.pepper);
  const keysUrl = settings.keysUrl ?? defaultKeysUrl(eventStoreUrl);
  const table = await openKeyTable(keysUrl, keysUrl === eventStoreUrl ? 'with-log' : 'own');
  const keys = new WrappedSubjectKeyStore(table, wrapper);
  return {
    keys,
    blindIndex,
    hashIdentity: remembered(blindIndex.pseudonymOf),
    protect: (store) =>
      withPersonalDataProtection(
        store,
        keys,
        settings.sealFormat ? { sealFormat: settings.sealFormat } : {},
      ),
    close: () => keys.close(),
  };
}

/**
 * The log at `url` with its personal fields protected, owning its keys: closing it closes
 * both (for a command or a test that opens one log and nothing else).
 */
export async function openProtectedEventStore(
  settings: PrivacySettings,
  url: string,
): Promise<EventStore> {
  const personalData = await openPersonalData(settings, url);
  const store = personalData.protect(await openEventStore(url));
  return {
    ...store,
    close: async () => {
      await store.close();
      await personalData.close();
    },
  };
}
