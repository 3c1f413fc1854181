import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { describeWithServices, dropSchemas } from '@rapport/testing';
import { describeSubjectKeyStoreContract } from './contract/subject-key-store-contract';
import { PostgresWrappedKeyTable } from './postgres/postgres-wrapped-key-table';
import { SqliteWrappedKeyTable } from './sqlite/sqlite-wrapped-key-table';

// One line per adapter: every adapter passes the same contract (memory: the unit tier,
// memory/memory-wrapped-key-table.spec.ts).

let sqlitePath = '';
describeSubjectKeyStoreContract({
  name: 'sqlite',
  open: async () => {
    sqlitePath = join(mkdtempSync(join(tmpdir(), 'rapport-keys-')), 'log.db');
    return new SqliteWrappedKeyTable({ path: sqlitePath });
  },
  reopen: async () => new SqliteWrappedKeyTable({ path: sqlitePath }),
});

// Each test gets a fresh schema, dropped when the suite ends.
describeWithServices(['postgres'], 'PostgreSQL subject keys', (urls) => {
  const schemas: string[] = [];
  afterAll(() => dropSchemas(urls.postgres, schemas));
  const open = (schema: string) =>
    PostgresWrappedKeyTable.open({ connectionString: urls.postgres, schema });
  describeSubjectKeyStoreContract({
    name: 'postgres',
    open: async () => {
      schemas.push(`keys_${randomBytes(6).toString('hex')}`);
      return open(schemas[schemas.length - 1]);
    },
    reopen: async () => open(schemas[schemas.length - 1]),
  });

  it('creates its table once when several processes open a new schema at the same time', async () => {
    const schema = `keys_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    const tables = await Promise.all(Array.from({ length: 5 }, () => open(schema)));
    await Promise.all(tables.map((t) => t.close()));
  });

  it('leaves no dead tuple of a destroyed key after the vacuum', async () => {
    const schema = `keys_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    const table = await open(schema);
    const client = new Client({ connectionString: urls.postgres });
    await client.connect();
    try {
      await table.insertIfAbsent('gone', randomBytes(61));
      await table.insertIfAbsent('kept', randomBytes(61));
      expect(await table.delete(['gone'])).toBe(1);
      const stats = await client.query<{ n_dead_tup: string; n_live_tup: string }>(
        `SELECT n_dead_tup, n_live_tup FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'subject_keys'`,
        [schema],
      );
      // Statistics are reported asynchronously; when present they show no dead tuple.
      if (stats.rows[0]) expect(Number(stats.rows[0].n_dead_tup)).toBe(0);
      expect(await table.get('gone')).toBeUndefined();
      expect(await table.get('kept')).toBeDefined();
    } finally {
      await client.end();
      await table.close();
    }
  });
});
