import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract } from './contract/event-store-contract';
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
