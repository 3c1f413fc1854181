import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { newEvent } from '../contract/event-store-contract';
import { type AppendTransaction } from '../append-transaction';
import { SqliteEventStore } from './sqlite-event-store';

/** `AppendOptions.withinTransaction` on SQLite: the caller's rows commit or roll back with the events. */
describe('SQLite event store: rows of the caller in the append transaction', () => {
  let dir: string;
  let store: SqliteEventStore;
  let db: Database.Database;
  const keys = () => db.prepare('SELECT subject, key FROM caller_keys ORDER BY subject').all();
  const insertKey =
    (subject: string, key = 'k') =>
    (tx: AppendTransaction) => {
      if (tx.kind !== 'sqlite') throw new Error(`expected sqlite, got ${tx.kind}`);
      db = tx.db;
      tx.db.prepare('INSERT INTO caller_keys (subject, key) VALUES (?, ?)').run(subject, key);
    };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rapport-within-tx-'));
    store = new SqliteEventStore({ path: join(dir, 'log.db') });
    // The caller's table lives in the log's file; created through the hook itself.
    await store.append('setup', [newEvent()], 'any', {
      withinTransaction: (tx) => {
        if (tx.kind === 'sqlite')
          tx.db.exec('CREATE TABLE caller_keys (subject TEXT PRIMARY KEY, key TEXT NOT NULL)');
        db = (tx as { db: Database.Database }).db;
      },
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits the rows with the events, for append and appendMany', async () => {
    await store.append('a', [newEvent()], 'no_stream', { withinTransaction: insertKey('alice') });
    const outcomes = await store.appendMany(
      [
        { streamId: 'b', events: [newEvent()], expectedRevision: 'no_stream' },
        { streamId: 'a', events: [newEvent()], expectedRevision: 7 },
      ],
      { withinTransaction: insertKey('bob') },
    );
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
    expect(keys()).toEqual([
      { subject: 'alice', key: 'k' },
      { subject: 'bob', key: 'k' },
    ]);
    expect(await store.headPosition()).toBe(3);
  });

  it('rolls the events back with the rows when the hook throws, and the rows when the append fails', async () => {
    await expect(
      store.append('a', [newEvent()], 'any', {
        withinTransaction: (tx) => {
          insertKey('carol')(tx);
          throw new Error('no key for carol');
        },
      }),
    ).rejects.toThrow('no key for carol');
    // The second insert of `dave` breaks the primary key after the first one was written.
    // (The message, not toThrow: the driver's error class may come from another test file's
    // realm, as jest workers load the native module once.)
    const failure = await store
      .append('a', [newEvent()], 'any', {
        withinTransaction: (tx) => {
          insertKey('dave')(tx);
          insertKey('dave')(tx);
        },
      })
      .then(
        () => 'appended',
        (error: Error) => error.message,
      );
    expect(failure).toMatch(/UNIQUE/);
    expect(keys()).toEqual([]);
    expect(await store.headPosition()).toBe(1);
  });

  it('refuses an asynchronous hook: SQLite transactions here are synchronous', async () => {
    await expect(
      store.append('a', [newEvent()], 'any', {
        withinTransaction: async (tx) => insertKey('erin')(tx),
      }),
    ).rejects.toThrow('must be synchronous');
    expect(keys()).toEqual([]);
    expect(await store.headPosition()).toBe(1);
  });
});
