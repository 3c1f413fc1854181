import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, type RecordedEvent } from '../event-store';
import { openEventStore } from '../open-event-store';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { withUpcasting } from './upcasting-event-store';

/** A test-only step: `thing.v1 { n }` → `thing.v2 { n, doubled }`. */
const upcast = (e: RecordedEvent): RecordedEvent =>
  e.type === 'thing.v1'
    ? {
        ...e,
        type: 'thing.v2',
        data: { ...(e.data as object), doubled: (e.data as { n: number }).n * 2 },
      }
    : e;

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('withUpcasting', () => {
  let raw: EventStore;
  let store: EventStore;
  beforeEach(async () => {
    raw = new SqliteEventStore({ path: ':memory:' });
    store = withUpcasting(raw, upcast);
    await store.append('s-1', [
      { id: id(1), type: 'thing.v1', data: { n: 1 } },
      { id: id(2), type: 'thing.v2', data: { n: 2, doubled: 4 } },
      { id: id(3), type: 'other.v1', data: { x: true } },
    ]);
  });
  afterEach(() => store.close());

  const shapes = (events: RecordedEvent[]) => events.map((e) => [e.id, e.type, e.data]);
  const newest = [
    [id(1), 'thing.v2', { n: 1, doubled: 2 }],
    [id(2), 'thing.v2', { n: 2, doubled: 4 }],
    [id(3), 'other.v1', { x: true }],
  ];

  it('upcasts readAll, readStream (both directions) and subscriptions; the log keeps what was written', async () => {
    expect(shapes(await store.readAll())).toEqual(newest);
    expect(shapes(await store.readStream('s-1'))).toEqual(newest);
    expect(shapes(await store.readStream('s-1', { direction: 'backwards' }))).toEqual(
      [...newest].reverse(),
    );
    const seen: RecordedEvent[] = [];
    let caughtUpAt = 0;
    const sub = store.subscribeToAll(
      {},
      { onEvents: (events) => void seen.push(...events), onCaughtUp: (p) => (caughtUpAt = p) },
    );
    while (caughtUpAt < 3) await new Promise((r) => setTimeout(r, 5));
    await sub.stop();
    expect(shapes(seen)).toEqual(newest);
    expect((await raw.readAll()).map((e) => e.type)).toEqual(['thing.v1', 'thing.v2', 'other.v1']);
  });

  it('keeps appends idempotent on the stored content (a re-append of the v1 event is a duplicate)', async () => {
    const again = await store.append('s-1', [{ id: id(1), type: 'thing.v1', data: { n: 1 } }]);
    expect(again.events[0].duplicate).toBe(true);
    expect(await store.headPosition()).toBe(3);
  });
});

describe('openEventStore', () => {
  it('upcasts by default (survey.responded.v1 is read as v2) and hands out the log as stored with raw', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-upcast-'));
    try {
      const url = `sqlite:${join(dir, 'log.db')}`;
      const writer = await openEventStore(url, { raw: true });
      await writer.append('customer-1', [
        {
          id: id(9),
          type: 'survey.responded.v1',
          data: { identity: { kind: 'email', value: 'a@b.c' }, answer: { kind: 'nps', score: 3 } },
        },
      ]);
      await writer.close();
      const upcasting = await openEventStore(url);
      const [read] = await upcasting.readAll();
      await upcasting.close();
      expect([read.type, (read.data as { channel: string }).channel]).toEqual([
        'survey.responded.v2',
        'survey',
      ]);
      const raw = await openEventStore(url, { raw: true });
      expect((await raw.readAll())[0].type).toBe('survey.responded.v1');
      await raw.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
