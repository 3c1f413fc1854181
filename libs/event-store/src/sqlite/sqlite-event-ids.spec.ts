import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { newEvent } from '../contract/event-store-contract';
import { EventIdConflictError } from '../errors';
import { storesOnOneFile } from './stores-on-one-file.spec-helper';

/** The table as schema version 1 made it, with its UNIQUE index on event ids. */
const LEGACY_SCHEMA = `
CREATE TABLE events (
  position     INTEGER PRIMARY KEY,
  event_id     TEXT    NOT NULL UNIQUE,
  stream_id    TEXT    NOT NULL,
  revision     INTEGER NOT NULL,
  type         TEXT    NOT NULL,
  data_format  TEXT    NOT NULL DEFAULT 'json' CHECK (data_format IN ('json', 'binary')),
  data         TEXT    NOT NULL,
  metadata     TEXT    NOT NULL,
  recorded_at  TEXT    NOT NULL,
  UNIQUE (stream_id, revision)
);`;

/** Event ids in batches (`event_ids`), the newest in memory: what appends find either way. */
describe('SQLite event store: the batched index of event ids', () => {
  const { file, store } = storesOnOneFile('event-ids');
  /** A second connection on the file, read-only, for what the store wrote. */
  const inspect = <T>(read: (db: Database.Database) => T): T => {
    const db = new Database(file(), { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  };
  const indexed = () =>
    inspect((db) => ({
      ids: db.prepare('SELECT count(*) AS n FROM event_ids').pluck().get() as number,
      upTo: db.prepare('SELECT position FROM event_ids_indexed').pluck().get() as number,
    }));
  const events = (n: number, stream: string) =>
    Array.from({ length: n }, (_, i) => newEvent('test.happened.v1', { stream, i }));

  it('moves ids into the index once a batch is full, and finds duplicates on both sides of it', async () => {
    const s = store(5);
    const first = events(4, 'a');
    await s.append('a', first);
    expect(indexed()).toEqual({ ids: 0, upTo: 0 });
    const second = events(4, 'b');
    await s.append('b', second);
    // The second append found 4 unindexed events, fewer than 5: still nothing indexed.
    expect(indexed()).toEqual({ ids: 0, upTo: 0 });
    await s.append('c', events(1, 'c'));
    // The third found 8: they were indexed in its transaction, before its own event.
    expect(indexed()).toEqual({ ids: 8, upTo: 8 });

    // An indexed event and an unindexed one, appended again: duplicates at their positions.
    const again = await s.append('a', [first[1]]);
    expect(again.events).toEqual([{ id: first[1].id, revision: 1, position: 2, duplicate: true }]);
    const tail = events(1, 'c');
    await s.append('c', tail);
    const retry = await s.appendMany([
      { streamId: 'b', events: [second[3]], expectedRevision: 'any' },
      { streamId: 'c', events: tail, expectedRevision: 'any' },
    ]);
    expect(retry.map((o) => o.ok && o.result.events[0])).toEqual([
      { id: second[3].id, revision: 3, position: 8, duplicate: true },
      { id: tail[0].id, revision: 1, position: 10, duplicate: true },
    ]);
    // The same id with other content is a conflict, indexed or not.
    await expect(s.append('a', [{ ...first[0], data: { other: true } }])).rejects.toThrow(
      EventIdConflictError,
    );
    await expect(s.append('c', [{ ...tail[0], type: 'other.v1' }])).rejects.toThrow(
      EventIdConflictError,
    );
    expect((await s.readAll()).map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('sees the appends and the index of another store on the same file', async () => {
    const a = store(3);
    const b = store(3);
    const fromA = events(2, 'a');
    await a.append('a', fromA);
    // B has never seen the log: A's events are unindexed, found in the file.
    const dup = await b.append('a', [fromA[0]]);
    expect(dup.events[0]).toMatchObject({ position: 1, duplicate: true });
    const fromB = events(2, 'b');
    await b.append('b', fromB);
    // A indexes 4 events (its own 2 and B's 2) in this append; B then finds them indexed.
    await a.append('a', events(1, 'a'));
    expect(indexed()).toEqual({ ids: 4, upTo: 4 });
    const both = await b.appendMany([
      { streamId: 'a', events: [fromA[1]], expectedRevision: 'any' },
      { streamId: 'b', events: [fromB[1]], expectedRevision: 'any' },
    ]);
    expect(both.map((o) => o.ok && o.result.events[0].position)).toEqual([2, 4]);
    await expect(a.append('b', [{ ...fromB[0], data: 'changed' }])).rejects.toThrow(
      EventIdConflictError,
    );
    expect(await b.headPosition()).toBe(5);
  });

  it('takes the ids of the pages it read from the log instead of reading them again', async () => {
    const a = store(100);
    const b = store(100);
    await b.append('b', events(1, 'b')); // B has caught up once: its map follows the index
    const fromA = events(30, 'a');
    await a.append('a', fromA);
    expect((await b.readAll({ after: 0, maxCount: 20 })).map((e) => e.position)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    // What B's next append reads from the file: only the ids past the page it read.
    const statements = (
      b as unknown as {
        statements: { idsAfter: { iterate: (after: number) => Iterable<[number, string]> } };
      }
    ).statements;
    const iterate = statements.idsAfter.iterate.bind(statements.idsAfter);
    const readAfter: number[] = [];
    statements.idsAfter.iterate = (after: number) => {
      readAfter.push(after);
      return iterate(after);
    };
    const dups = await b.appendMany([
      { streamId: 'a', events: [fromA[4], fromA[25]], expectedRevision: 'any' },
    ]);
    expect(readAfter).toEqual([20]);
    expect(dups[0].ok && dups[0].result.events.map((e) => [e.position, e.duplicate])).toEqual([
      [6, true],
      [27, true],
    ]);
    await expect(b.append('a', [{ ...fromA[10], data: 'changed' }])).rejects.toThrow(
      EventIdConflictError,
    );
    expect(await b.headPosition()).toBe(31);
  });

  it('migrates a log of schema version 1 on open: same events, no UNIQUE index, ids indexed', async () => {
    const legacy = new Database(file());
    legacy.pragma('journal_mode = WAL');
    legacy.exec(LEGACY_SCHEMA);
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const insert = legacy.prepare(
      `INSERT INTO events (position, event_id, stream_id, revision, type, data_format, data, metadata, recorded_at)
       VALUES (?, ?, ?, ?, 'legacy.v1', 'json', ?, '{}', '2026-01-01T00:00:00.000Z')`,
    );
    ids.forEach((id, i) => insert.run(i + 1, id, 'old', i, JSON.stringify({ i })));
    legacy.close();

    const s = store();
    expect(
      inspect((db) => ({
        version: db.pragma('user_version', { simple: true }),
        uniqueOnIds: (db.pragma('index_list(events)') as { name: string; unique: number }[])
          .filter((index) => index.unique)
          .map((index) => (db.pragma(`index_info(${index.name})`) as { name: string }[])[0].name)
          .includes('event_id'),
      })),
    ).toEqual({ version: 2, uniqueOnIds: false });
    expect(indexed()).toEqual({ ids: 3, upTo: 3 });
    expect((await s.readStream('old')).map((e) => [e.id, e.position, e.data])).toEqual(
      ids.map((id, i) => [id, i + 1, { i }]),
    );
    const again = await s.append('old', [
      { id: ids[2], type: 'legacy.v1', data: { i: 2 } },
      { id: randomUUID(), type: 'legacy.v1', data: { i: 3 } },
    ]);
    expect(again.events.map((e) => [e.position, e.duplicate])).toEqual([
      [3, true],
      [4, false],
    ]);
    await expect(s.append('old', [{ id: ids[0], type: 'legacy.v1', data: 0 }])).rejects.toThrow(
      EventIdConflictError,
    );
    // Opening again finds version 2 and changes nothing.
    await s.close();
    const reopened = store();
    expect(await reopened.headPosition()).toBe(4);
    expect(indexed()).toEqual({ ids: 3, upTo: 3 });
  });
});
