import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithServices, dropSchemas } from '@rapport/testing';
import { describeEventStoreContract } from './contract/event-store-contract';
import { EsdbEventStore } from './esdb/esdb-event-store';
import { FakeEsdbServer } from './esdb/fake-esdb-client';
import { PostgresEventStore } from './postgres/postgres-event-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

const maxEventBytes = 64 * 1024;

// One line per adapter: every adapter passes the same contract.
describeEventStoreContract({
  name: 'sqlite',
  maxEventBytes,
  open: async () =>
    new SqliteEventStore({
      path: join(mkdtempSync(join(tmpdir(), 'rapport-es-')), 'log.db'),
      maxEventBytes,
      pollIntervalMs: 20,
    }),
});

// Each test gets a fresh schema; the suite closes the store after each test, and the
// schemas are dropped when the suite ends.
describeWithServices(['postgres'], 'PostgreSQL event store', (urls) => {
  const schemas: string[] = [];
  afterAll(() => dropSchemas(urls.postgres, schemas));
  describeEventStoreContract({
    name: 'postgres',
    maxEventBytes,
    open: async () => {
      const schema = `es_${randomBytes(6).toString('hex')}`;
      schemas.push(schema);
      return PostgresEventStore.open({ connectionString: urls.postgres, schema, maxEventBytes });
    },
  });
});

// The EventStoreDB adapter's own logic, over an in-memory stand-in for the server (gaps in
// positions, system events, the client's real error classes). The real server runs in
// esdb/esdb-event-store.contract.spec.ts when ESDB_URL is set or Docker is available.
const fakeEsdb = new FakeEsdbServer();
describeEventStoreContract({
  name: 'esdb adapter over an in-memory fake server',
  maxEventBytes,
  positionsAreCounters: false,
  detectsIdsInOtherStreams: false,
  open: async () =>
    new EsdbEventStore({
      client: fakeEsdb.client(),
      streamPrefix: `t-${randomUUID().slice(0, 8)}-`,
      maxEventBytes,
    }),
});
