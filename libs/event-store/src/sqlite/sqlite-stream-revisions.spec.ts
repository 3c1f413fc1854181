import { newEvent } from '../contract/event-store-contract';
import { WrongExpectedRevisionError } from '../errors';
import { RecentStreamRevisions } from './recent-stream-revisions';
import { type SqliteEventStore } from './sqlite-event-store';
import { storesOnOneFile } from './stores-on-one-file.spec-helper';

/**
 * A store remembers the revisions of the streams it saw appended to, and asks the log only
 * for the others: what it remembers must follow every writer of the file.
 */
describe('SQLite event store: the revisions of recently appended streams', () => {
  const { store } = storesOnOneFile('stream-revisions');
  const events = (n: number) => Array.from({ length: n }, (_, i) => newEvent('test.v1', { i }));
  /** How many streams the store asked the log for the revision of, while `action` ran. */
  const asked = async (s: SqliteEventStore, action: () => Promise<unknown>) => {
    const statements = (
      s as unknown as { statements: { streamRevisions: { all: (json: string) => unknown[] } } }
    ).statements;
    const all = statements.streamRevisions.all.bind(statements.streamRevisions);
    const streams: string[] = [];
    statements.streamRevisions.all = (json: string) => {
      streams.push(...(JSON.parse(json) as string[]));
      return all(json);
    };
    try {
      await action();
      return streams;
    } finally {
      statements.streamRevisions.all = all;
    }
  };

  it('asks the log only for streams it has not seen, and follows another store on the file', async () => {
    const a = store();
    const b = store();
    expect(await asked(a, () => a.append('x', events(2)))).toEqual(['x']);
    // Seen: its own append, not asked again.
    expect(await asked(a, () => a.append('x', events(1), 1))).toEqual([]);
    // B appends to the same stream; A reads that in its next write, and numbers after it.
    await b.append('x', events(2), 2);
    const next = await a.append('x', events(1), 4);
    expect(next.events.map((e) => e.revision)).toEqual([5]);
    await expect(a.append('x', events(1), 4)).rejects.toThrow(WrongExpectedRevisionError);
    expect((await a.readStream('x')).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('forgets what it remembers when another store indexed events it never saw', async () => {
    const a = store(2);
    const b = store(2);
    await a.append('x', events(1)); // A remembers x at revision 0
    await b.append('x', events(3)); // revisions 1–3, positions 2–4
    await b.append('y', events(1)); // B indexes positions 1–4 first
    // A's next write finds the index moved past what it knew: it must not number x from 0.
    const next = await a.append('x', events(1), 'any');
    expect(next.events.map((e) => e.revision)).toEqual([4]);
    expect((await a.readStream('x')).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
  });

  it('takes the revisions of the pages a subscription read', async () => {
    const a = store();
    const b = store();
    await a.append('w', events(1)); // A has caught up once
    await b.append('x', events(3));
    await a.readAll({ after: 0, maxCount: 10 });
    expect(await asked(a, () => a.append('x', events(1), 2))).toEqual([]);
  });

  it('remembers at most `max` streams, forgetting the one seen longest ago', () => {
    const recent = new RecentStreamRevisions(2);
    recent.saw('a', 0);
    recent.saw('b', 0);
    recent.saw('a', 1); // a seen again: b is now the oldest
    recent.saw('c', 0);
    expect([recent.get('a'), recent.get('b'), recent.get('c'), recent.size]).toEqual([
      1,
      undefined,
      0,
      2,
    ]);
    expect(() => new RecentStreamRevisions(0)).toThrow(RangeError);
  });
});
