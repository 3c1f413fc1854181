import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { describeWithServices, dropSchemas } from '@rapport/testing';
import { LocalMasterKeyWrapper } from '../keys/key-wrapper';
import { WrappedSubjectKeyStore } from '../keys/subject-key-store';
import { type WrappedKeyTable } from '../keys/wrapped-key-table';
import { PostgresWrappedKeyTable } from '../postgres/postgres-wrapped-key-table';
import { SqliteWrappedKeyTable } from '../sqlite/sqlite-wrapped-key-table';
import { withPersonalDataProtection } from './protected-event-store';

const master = new LocalMasterKeyWrapper(randomBytes(32));

const touchpoint = (customerId: string, text: string) => ({
  id: randomUUID(),
  type: 'touchpoint.recorded.v1',
  data: { channel: 'email', direction: 'inbound', content: { text } },
  metadata: { customerId },
});
const textOf = (event: { data: unknown }) =>
  (event.data as { content: { text: unknown } }).content.text;

/** The table, counting the writes it makes on its own connection. */
function counting(table: WrappedKeyTable) {
  const counted = { table, ownWrites: 0 };
  const insertMany = table.insertManyIfAbsent.bind(table);
  table.insertManyIfAbsent = async (rows) => {
    counted.ownWrites += 1;
    return insertMany(rows);
  };
  return counted;
}

/** `openTable` gives a new handle on the key table beside the log each call. */
function describeKeysInAppend(
  name: string,
  openLog: () => Promise<EventStore>,
  openTable: () => Promise<WrappedKeyTable>,
) {
  describe(`new data keys stored by the log's append (${name})`, () => {
    let log: EventStore;
    const closing: { close(): Promise<void> }[] = [];
    beforeEach(async () => {
      log = await openLog();
      closing.push(log);
    });
    afterEach(async () => {
      for (const c of closing.splice(0).reverse()) await c.close();
    });
    const keyStore = async (table?: WrappedKeyTable) => {
      const keys = new WrappedSubjectKeyStore(table ?? (await openTable()), master);
      closing.push(keys);
      return keys;
    };

    it('commits a new subject key in the append, without a write of its own', async () => {
      const counted = counting(await openTable());
      const store = withPersonalDataProtection(log, await keyStore(counted.table));
      const customer = randomUUID();
      await store.appendMany([
        {
          streamId: `customer-${customer}`,
          expectedRevision: 'any',
          events: [touchpoint(customer, 'first words')],
        },
      ]);
      await store.append(`customer-${customer}`, [touchpoint(customer, 'second words')]);
      expect(counted.ownWrites).toBe(0);
      // Another process, nothing cached: the key is in the table, and opens both events.
      const elsewhere = withPersonalDataProtection(log, await keyStore());
      expect((await elsewhere.readAll()).map(textOf)).toEqual(['first words', 'second words']);
    });

    it('seals again with the key another writer stored first, and appends once', async () => {
      const customer = randomUUID();
      // The other writer's key is in the table, but this one's look-up misses it (it read
      // just before the other committed).
      const theirs = await (await keyStore()).keyFor(customer);
      const table = await openTable();
      const getManyAfter = table.getManyAfter.bind(table);
      let missed = false;
      table.getManyAfter = async (ids, after) => {
        const found = await getManyAfter(ids, after);
        if (!missed && found.keys.delete(customer)) missed = true;
        return found;
      };
      const store = withPersonalDataProtection(log, await keyStore(table));
      await store.append(`customer-${customer}`, [touchpoint(customer, 'raced words')]);
      expect(missed).toBe(true);
      const stored = await log.readAll();
      expect(stored).toHaveLength(1);
      const elsewhere = await keyStore();
      expect((await elsewhere.find(customer))?.bytes.equals(theirs.bytes)).toBe(true);
      expect((await withPersonalDataProtection(log, elsewhere).readAll()).map(textOf)).toEqual([
        'raced words',
      ]);
    });

    it('seals with a new key after another process destroyed the one this append cached', async () => {
      const keys = await keyStore();
      const store = withPersonalDataProtection(log, keys);
      const customer = randomUUID();
      await store.append(`customer-${customer}`, [touchpoint(customer, 'before')]);
      const cachedKey = await keys.find(customer);
      await (await keyStore()).destroy([customer]);
      await store.append(`customer-${customer}`, [touchpoint(customer, 'after')]);
      expect((await keys.find(customer))?.bytes.equals(cachedKey!.bytes)).toBe(false);
      // Sealed with the table's new key, which a cold reader opens; the first event, sealed
      // under the destroyed key, reads as erased.
      const elsewhere = withPersonalDataProtection(log, await keyStore());
      expect((await elsewhere.readAll()).map(textOf)).toEqual([{ erased: true }, 'after']);
      expect((await store.readAll()).map(textOf)).toEqual([{ erased: true }, 'after']);
    });

    it('stores the keys right after an append whose store did not pass the hook on', async () => {
      const dropping: EventStore = {
        ...log,
        append: (streamId, events, expectedRevision) =>
          log.append(streamId, events, expectedRevision),
        appendMany: (requests) => log.appendMany(requests),
      };
      const store = withPersonalDataProtection(dropping, await keyStore());
      const customer = randomUUID();
      await store.append(`customer-${customer}`, [touchpoint(customer, 'kept anyway')]);
      const elsewhere = withPersonalDataProtection(log, await keyStore());
      expect((await elsewhere.readAll()).map(textOf)).toEqual(['kept anyway']);
    });
  });
}

let sqliteFile = '';
describeKeysInAppend(
  'SQLite',
  async () => {
    sqliteFile = join(mkdtempSync(join(tmpdir(), 'rapport-keys-in-append-')), 'log.db');
    return openEventStore(`sqlite:${sqliteFile}`);
  },
  async () => new SqliteWrappedKeyTable({ path: sqliteFile, durability: 'with-log' }),
);

describeWithServices(['postgres'], 'PostgreSQL log', (urls) => {
  const schemas: string[] = [];
  afterAll(() => dropSchemas(urls.postgres, schemas));
  describeKeysInAppend(
    'PostgreSQL',
    async () => {
      schemas.push(`keys_append_${randomBytes(6).toString('hex')}`);
      return openEventStore(`${urls.postgres}?schema=${schemas[schemas.length - 1]}`);
    },
    () =>
      PostgresWrappedKeyTable.open({
        connectionString: urls.postgres,
        schema: schemas[schemas.length - 1],
        durability: 'with-log',
      }),
  );
});
