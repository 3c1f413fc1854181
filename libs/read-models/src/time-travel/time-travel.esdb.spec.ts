import { randomUUID } from 'node:crypto';
import { IDENTITY_GRAPH_STREAM, type IdentityGraphEvent, identityLinked } from '@rapport/domain';
import {
  EsdbEventStore,
  type EventStore,
  type NewEvent,
  withUpcasting,
} from '@rapport/event-store';
import { FakeEsdbServer } from '@rapport/event-store/testing';
import { LogTimeIndex, positionAtTime } from './position-at-time';
import { TimeTravel } from './time-travel';

/**
 * Time travel by time on EventStoreDB, whose positions are byte offsets in `$all` (with
 * gaps: record sizes, system events, other applications' events), over the in-memory
 * stand-in for the server. The stand-in refuses, as a real server does, a read of `$all`
 * that starts where no record starts: a search that probes numbers between positions fails.
 */

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const STAFF = { kind: 'staff', staffId: 'agent-7' } as const;

const touchpoint = (): NewEvent => ({ id: randomUUID(), type: 'touchpoint.recorded.v1', data: {} });
const link = (n: number): NewEvent => {
  const event: IdentityGraphEvent = identityLinked({
    identity: { kind: 'email', value: `p${n}@example.com` },
    customerId: `c-${n}`,
    by: STAFF,
    at: iso(T0),
    reason: 'first-seen',
  });
  return { id: randomUUID(), type: event.type, data: event.data };
};

/** An EventStoreDB log (through the adapter) whose records are committed at the times we say. */
function esdbLog() {
  const server = new FakeEsdbServer();
  server.rejectsReadsBetweenRecords = true;
  const store = new EsdbEventStore({
    client: server.client(),
    streamPrefix: `tt-${randomUUID().slice(0, 8)}-`,
  });
  /** `write` commits its records at `ms` (the stand-in otherwise stamps them with the wall clock). */
  const at = async <T>(ms: number, write: () => Promise<T>): Promise<T> => {
    const from = server.log.length;
    const result = await write();
    for (let i = from; i < server.log.length; i++)
      server.log[i] = { ...server.log[i], created: new Date(ms) };
    return result;
  };
  /** An event of another application (not under our prefix): one more gap in our positions. */
  const foreign = (ms: number) =>
    at(ms, async () =>
      server.write('billing-42', 'user', [
        {
          id: randomUUID(),
          type: 'invoice.sent',
          contentType: 'application/json',
          data: {},
          metadata: undefined,
        },
      ]),
    );
  return { server, store, at, foreign };
}

describe('time travel by time on EventStoreDB (positions with gaps)', () => {
  it.each([
    ['the adapter', (store: EventStore) => store],
    [
      'the adapter behind withUpcasting, as openEventStore opens it',
      (store: EventStore) => withUpcasting(store, (e) => e),
    ],
  ])('answers the position, its time and the identity graph: %s', async (_, wrap) => {
    const { store: esdb, at, foreign } = esdbLog();
    const store = wrap(esdb);
    expect(store.positionsAreCounters).toBe(false);
    const appendAt = async (ms: number, streamId: string, event: NewEvent) =>
      (await at(ms, () => store.append(streamId, [event]))).position;

    // minute 1: c-1 seen and linked; minute 2: c-2; minute 3: three events at once; minute 5: c-4.
    const p1 = await appendAt(T0 + MINUTE, 'customer-1', touchpoint());
    const l1 = await appendAt(T0 + MINUTE, IDENTITY_GRAPH_STREAM, link(1));
    await foreign(T0 + 90_000);
    await appendAt(T0 + 2 * MINUTE, 'customer-2', touchpoint());
    const l2 = await appendAt(T0 + 2 * MINUTE, IDENTITY_GRAPH_STREAM, link(2));
    await appendAt(T0 + 3 * MINUTE, 'customer-3', touchpoint());
    await appendAt(T0 + 3 * MINUTE, IDENTITY_GRAPH_STREAM, link(3));
    const t3 = await appendAt(T0 + 3 * MINUTE, 'customer-3', touchpoint());
    await foreign(T0 + 4 * MINUTE);
    await appendAt(T0 + 5 * MINUTE, IDENTITY_GRAPH_STREAM, link(4));
    const head = await appendAt(T0 + 5 * MINUTE, 'customer-4', touchpoint());

    const all = await store.readAll();
    expect(all).toHaveLength(9);
    expect(await store.headPosition()).toBe(head);
    // Byte offsets: far from 1 … 9, and with gaps.
    expect(p1).toBeGreaterThan(all.length);
    expect(all.some((e, i) => i > 0 && e.position - all[i - 1].position > 1)).toBe(true);

    const travel = new TimeTravel(store, { now: () => T0 + 60 * MINUTE });
    const asOf = async (raw: string) => {
      const result = await travel.resolve(raw);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      const { position, recordedAt } = result.value;
      const graph = await result.value.graphAround([]);
      return { position, recordedAt, customers: [...graph.customers.keys()].sort() };
    };

    // Before the first event: nothing yet.
    expect(await asOf(iso(T0 + MINUTE - 1))).toEqual({
      position: 0,
      recordedAt: null,
      customers: [],
    });
    // Exactly at an event's time: that event (the last one of that time) is in.
    expect(await asOf(iso(T0 + MINUTE))).toEqual({
      position: l1,
      recordedAt: iso(T0 + MINUTE),
      customers: ['c-1'],
    });
    // Between events (another application's event in between is not ours).
    expect(await asOf(iso(T0 + 90_000))).toEqual({
      position: l1,
      recordedAt: iso(T0 + MINUTE),
      customers: ['c-1'],
    });
    expect(await asOf(iso(T0 + 2 * MINUTE + 30_000))).toEqual({
      position: l2,
      recordedAt: iso(T0 + 2 * MINUTE),
      customers: ['c-1', 'c-2'],
    });
    // Several events at the same time: all of them, or none.
    expect(await asOf(iso(T0 + 3 * MINUTE - 1))).toEqual({
      position: l2,
      recordedAt: iso(T0 + 2 * MINUTE),
      customers: ['c-1', 'c-2'],
    });
    expect(await asOf(iso(T0 + 3 * MINUTE))).toEqual({
      position: t3,
      recordedAt: iso(T0 + 3 * MINUTE),
      customers: ['c-1', 'c-2', 'c-3'],
    });
    expect(await asOf(iso(T0 + 4 * MINUTE))).toMatchObject({ position: t3 });
    // After the last event: the head.
    expect(await asOf(iso(T0 + 30 * MINUTE))).toEqual({
      position: head,
      recordedAt: iso(T0 + 5 * MINUTE),
      customers: ['c-1', 'c-2', 'c-3', 'c-4'],
    });

    // By position: an event's, and a number between two of them (no event's: no time).
    expect(await asOf(String(l2))).toEqual({
      position: l2,
      recordedAt: iso(T0 + 2 * MINUTE),
      customers: ['c-1', 'c-2'],
    });
    expect(await asOf(String(l2 + 1))).toEqual({
      position: l2 + 1,
      recordedAt: null,
      customers: ['c-1', 'c-2'],
    });
    // A read model that has applied the log up to l1 answers as of l1.
    const capped = await travel.resolve(iso(T0 + 30 * MINUTE), { upTo: l1 });
    expect(capped.ok && [capped.value.position, capped.value.recordedAt]).toEqual([
      l1,
      iso(T0 + MINUTE),
    ]);
    await store.close();
  });

  it('positionAtTime agrees with a scan, with or without an index, as the log grows', async () => {
    const { store, at, foreign } = esdbLog();
    // 120 events over ~40 seconds, up to four at the same millisecond, foreign ones between.
    let ms = T0;
    for (let n = 0; n < 120; n++) {
      if (n % 5 === 0) ms += 1000;
      else if (n % 3 === 0) ms += 1;
      await at(ms, () => store.append(`customer-${n % 7}`, [touchpoint()]));
      if (n % 11 === 0) await foreign(ms);
    }
    const expected = (
      events: readonly { position: number; recordedAt: string }[],
      t: number,
      head: number,
    ) => {
      const last = events.filter((e) => e.position <= head && Date.parse(e.recordedAt) <= t).pop();
      return last
        ? { position: last.position, recordedAt: last.recordedAt }
        : { position: 0, recordedAt: null };
    };
    const times = (events: readonly { recordedAt: string }[]) => {
      const distinct = [...new Set(events.map((e) => Date.parse(e.recordedAt)))];
      return [T0 - 1, T0, ...distinct.flatMap((t) => [t - 1, t, t + 1]), ms + 1e9].sort(
        (a, b) => ((a * 7919) % 1013) - ((b * 7919) % 1013), // not in order: the index grows unevenly
      );
    };
    const indexes = [1, 2, 7, 1000].map((markEvery) => new LogTimeIndex(store, { markEvery }));

    let events = await store.readAll();
    let head = await store.headPosition();
    for (const t of times(events)) {
      const want = expected(events, t, head);
      expect(await positionAtTime(store, t, head)).toEqual(want);
      for (const index of indexes)
        expect(await positionAtTime(store, t, head, index)).toEqual(want);
    }

    // Later appends: the indexes read on; a look-up with the earlier head still ends there.
    const earlierHead = head;
    for (let n = 0; n < 30; n++) {
      ms += n % 4 === 0 ? 0 : 500;
      await at(ms, () => store.append(`customer-${n % 7}`, [touchpoint()]));
    }
    events = await store.readAll();
    head = await store.headPosition();
    for (const t of times(events)) {
      for (const index of indexes) {
        expect(await positionAtTime(store, t, head, index)).toEqual(expected(events, t, head));
        expect(await positionAtTime(store, t, earlierHead, index)).toEqual(
          expected(events, t, earlierHead),
        );
      }
    }
    // An index that has read the log answers with one short read.
    const index = indexes[2];
    const reads = jest.spyOn(store, 'readAll');
    await Promise.all(times(events).map((t) => positionAtTime(store, t, head, index)));
    expect(reads.mock.calls.every(([options]) => (options?.maxCount ?? Infinity) <= 8)).toBe(true);
    expect(reads.mock.calls.length).toBeLessThanOrEqual(times(events).length);
    await store.close();
  });
});
