import { randomUUID } from 'node:crypto';
import {
  EventIdConflictError,
  EventTooLargeError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../errors';
import { type EventStore, type NewEvent, type RecordedEvent } from '../event-store';

/** How the contract suite gets a fresh, empty store of one adapter. */
export interface EventStoreAdapterUnderTest {
  readonly name: string;
  /** A new empty store; `undefined` skips the suite (the adapter explains why itself). */
  open(): Promise<EventStore | undefined>;
  /** Largest event the adapter is configured to accept in `open()`. */
  readonly maxEventBytes: number;
}

export function newEvent(
  type = 'test.happened.v1',
  data: unknown = { n: 1 },
  metadata?: unknown,
): NewEvent {
  return { id: randomUUID(), type, data, ...(metadata === undefined ? {} : { metadata }) };
}

/** Collects what a subscription delivers until `until` holds or the time runs out. */
export async function collect(
  store: EventStore,
  after: number,
  until: (seen: RecordedEvent[]) => boolean,
  timeoutMs = 10000,
): Promise<RecordedEvent[]> {
  const seen: RecordedEvent[] = [];
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const sub = store.subscribeToAll(
    { after, batchSize: 7 },
    {
      onEvents(events) {
        seen.push(...events);
        if (until(seen)) resolveDone();
      },
      onCaughtUp() {
        if (until(seen)) resolveDone();
      },
    },
  );
  const timer = setTimeout(resolveDone, timeoutMs);
  await Promise.race([done, sub.finished]);
  clearTimeout(timer);
  await sub.stop();
  return seen;
}

/**
 * The behaviour every EventStore adapter must have. Written once; an adapter joins by
 * adding one line to `event-store.contract.spec.ts`.
 */
export function describeEventStoreContract(adapter: EventStoreAdapterUnderTest): void {
  describe(`EventStore contract: ${adapter.name}`, () => {
    let store: EventStore;
    let available = true;

    beforeEach(async () => {
      const opened = await adapter.open();
      available = opened !== undefined;
      if (opened) store = opened;
    });
    afterEach(async () => {
      if (available) await store.close();
    });
    const test = (title: string, fn: () => Promise<void>) =>
      it(title, async () => {
        if (!available) return;
        await fn();
      });

    test('appends to a new stream with revisions from 0 and positions from 1', async () => {
      const result = await store.append('s-1', [newEvent(), newEvent()], 'no_stream');
      expect(result.nextExpectedRevision).toBe(1);
      expect(result.events.map((e) => e.revision)).toEqual([0, 1]);
      expect(result.events.map((e) => e.position)).toEqual([1, 2]);
      expect(result.position).toBe(2);
      expect(await store.headPosition()).toBe(2);
    });

    test('an empty log has head 0 and reads nothing; a missing stream reads empty', async () => {
      expect(await store.headPosition()).toBe(0);
      expect(await store.readAll()).toEqual([]);
      expect(await store.readStream('nope')).toEqual([]);
    });

    test('keeps type, data and metadata exactly, unicode included', async () => {
      const data = {
        text: 'Grüße 👋 — 你好 \u0000 "quoted" \\ back',
        nested: { list: [1, 2.5, null, true] },
      };
      const metadata = { source: 'mail', tags: ['é', 'ß'] };
      const event = newEvent('touchpoint.recorded.v1', data, metadata);
      await store.append('s-u', [event]);
      const [read] = await store.readStream('s-u');
      expect(read).toMatchObject({
        id: event.id,
        streamId: 's-u',
        revision: 0,
        position: 1,
        type: event.type,
        data,
        metadata,
      });
      expect(Number.isNaN(Date.parse(read.recordedAt))).toBe(false);
    });

    test('checks the expected revision exactly', async () => {
      await store.append('s-2', [newEvent()], 'no_stream');
      await store.append('s-2', [newEvent()], 0);
      await expect(store.append('s-2', [newEvent()], 0)).rejects.toMatchObject({
        name: 'WrongExpectedRevisionError',
        streamId: 's-2',
        expected: 0,
        actual: 1,
      });
      await expect(store.append('s-2', [newEvent()], 'no_stream')).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      await expect(store.append('missing', [newEvent()], 'stream_exists')).rejects.toMatchObject({
        actual: -1,
      });
      await expect(store.append('missing', [newEvent()], 0)).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      const ok = await store.append('s-2', [newEvent()], 'stream_exists');
      expect(ok.nextExpectedRevision).toBe(2);
      expect((await store.readStream('s-2')).length).toBe(3);
    });

    test('a refused append writes nothing', async () => {
      await store.append('s-3', [newEvent()]);
      await expect(store.append('s-3', [newEvent(), newEvent()], 5)).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      expect(await store.headPosition()).toBe(1);
    });

    test('re-appending the same event id is a no-op that answers with the original position', async () => {
      const events = [newEvent('a.v1', { k: 1, z: [1, 2] }), newEvent('b.v1', { k: 2 })];
      const first = await store.append('s-4', events, 'no_stream');
      await store.append('other', [newEvent()]);
      // A retry with the same expectation it had the first time succeeds idempotently.
      const again = await store.append('s-4', events, 'no_stream');
      expect(again.events.map((e) => [e.position, e.revision, e.duplicate])).toEqual([
        [1, 0, true],
        [2, 1, true],
      ]);
      expect(again.position).toBe(first.position);
      // Key order does not make an event different.
      const reordered = { ...events[0], data: { z: [1, 2], k: 1 } };
      const third = await store.append('s-4', [reordered], 'any');
      expect(third.events[0]).toMatchObject({ position: 1, duplicate: true });
      expect(await store.headPosition()).toBe(3);
      expect((await store.readStream('s-4')).length).toBe(2);
    });

    test('the same event id with other content, or in another stream, is a typed error', async () => {
      const event = newEvent('a.v1', { k: 1 });
      await store.append('s-5', [event]);
      await expect(store.append('s-5', [{ ...event, data: { k: 2 } }])).rejects.toBeInstanceOf(
        EventIdConflictError,
      );
      await expect(store.append('s-6', [event])).rejects.toMatchObject({
        name: 'EventIdConflictError',
        eventId: event.id,
      });
      expect(await store.headPosition()).toBe(1);
    });

    test('the same id twice in one append is stored once', async () => {
      const event = newEvent();
      const result = await store.append('s-dup', [event, event, newEvent()]);
      expect(result.events.map((e) => [e.revision, e.duplicate])).toEqual([
        [0, false],
        [0, true],
        [1, false],
      ]);
      expect((await store.readStream('s-dup')).length).toBe(2);
    });

    test('reads a stream forwards and backwards, from a revision, bounded', async () => {
      const events = Array.from({ length: 10 }, (_, n) => newEvent('n.v1', { n }));
      await store.append('s-7', events);
      await store.append('s-8', [newEvent()]);
      const data = (list: RecordedEvent[]) => list.map((e) => (e.data as { n: number }).n);
      expect(data(await store.readStream('s-7'))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(data(await store.readStream('s-7', { fromRevision: 4, maxCount: 3 }))).toEqual([
        4, 5, 6,
      ]);
      expect(data(await store.readStream('s-7', { direction: 'backwards', maxCount: 3 }))).toEqual([
        9, 8, 7,
      ]);
      expect(
        data(await store.readStream('s-7', { direction: 'backwards', fromRevision: 2 })),
      ).toEqual([2, 1, 0]);
    });

    test('reads the whole log from a position, gap-free and in commit order', async () => {
      for (let i = 0; i < 12; i += 1) await store.append(`s-${i % 3}`, [newEvent('n.v1', { i })]);
      const all = await store.readAll();
      expect(all.map((e) => e.position)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(all.map((e) => (e.data as { i: number }).i)).toEqual(
        Array.from({ length: 12 }, (_, i) => i),
      );
      const page = await store.readAll({ after: 5, maxCount: 4 });
      expect(page.map((e) => e.position)).toEqual([6, 7, 8, 9]);
    });

    test('appendMany applies each request on its own', async () => {
      await store.append('m-1', [newEvent()]);
      const outcomes = await store.appendMany([
        { streamId: 'm-1', events: [newEvent()], expectedRevision: 0 },
        { streamId: 'm-2', events: [newEvent()], expectedRevision: 3 },
        { streamId: 'm-3', events: [newEvent(), newEvent()], expectedRevision: 'no_stream' },
      ]);
      expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
      expect(outcomes[1].ok ? null : outcomes[1].error).toBeInstanceOf(WrongExpectedRevisionError);
      expect((await store.readAll()).map((e) => e.streamId)).toEqual(['m-1', 'm-1', 'm-3', 'm-3']);
    });

    test('refuses events larger than the limit, and malformed ids, with typed errors', async () => {
      const big = newEvent('big.v1', { blob: 'x'.repeat(adapter.maxEventBytes + 1) });
      await expect(store.append('s-big', [big])).rejects.toBeInstanceOf(EventTooLargeError);
      await expect(
        store.append('s-big', [{ ...newEvent(), id: 'not-a-uuid' }]),
      ).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.append('', [newEvent()])).rejects.toBeInstanceOf(InvalidAppendError);
      expect(await store.headPosition()).toBe(0);
    });

    test('a subscription replays from a checkpoint, then follows live appends, in order, once', async () => {
      for (let i = 0; i < 20; i += 1) await store.append(`c-${i % 4}`, [newEvent('n.v1', { i })]);
      const seenPromise = collect(store, 8, (seen) => seen.length >= 32);
      for (let i = 20; i < 40; i += 1) {
        await store.append(`c-${i % 4}`, [newEvent('n.v1', { i })]);
        if (i % 5 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      const seen = await seenPromise;
      expect(seen.map((e) => e.position)).toEqual(Array.from({ length: 32 }, (_, i) => i + 9));
    });

    test('a subscription reports when it has caught up, and stops', async () => {
      await store.append('cu', [newEvent(), newEvent()]);
      const caughtUp: number[] = [];
      let delivered = 0;
      const sub = store.subscribeToAll(
        {},
        {
          onEvents: (events) => void (delivered += events.length),
          onCaughtUp: (p) => void caughtUp.push(p),
        },
      );
      while (caughtUp.length === 0) await new Promise((r) => setTimeout(r, 5));
      expect(caughtUp[0]).toBe(2);
      expect(delivered).toBe(2);
      await sub.stop();
      await store.append('cu', [newEvent()]);
      await new Promise((r) => setTimeout(r, 50));
      expect(delivered).toBe(2);
      await expect(sub.finished).resolves.toBeUndefined();
    });

    test('a failing handler ends the subscription with its error', async () => {
      await store.append('f', [newEvent()]);
      const sub = store.subscribeToAll(
        {},
        { onEvents: () => Promise.reject(new Error('projection broke')) },
      );
      await expect(sub.finished).rejects.toThrow('projection broke');
    });
  });
}
