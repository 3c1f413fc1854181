import { randomUUID } from 'node:crypto';
import {
  customerMerged,
  customerUnmerged,
  EMPTY_IDENTITY_GRAPH,
  evolve,
  IDENTITY_GRAPH_STREAM,
  type IdentityGraph,
  type IdentityGraphEvent,
  identityLinked,
} from '@rapport/domain';
import { SqliteEventStore } from '@rapport/event-store';
import { IdentityGraphHistory } from './identity-graph-history';
import { parseAsOf } from './parse-as-of';
import { positionAtTime } from './position-at-time';
import { TimeTravel } from './time-travel';

const T0 = Date.UTC(2026, 0, 1);
const AT = '2026-01-01T00:00:00.000Z';
const STAFF = { kind: 'staff', staffId: 'agent-7' } as const;

/** A SQLite log whose recorded times are whatever `now` says when each append happens. */
function logWithClock() {
  const clock = { ms: T0 };
  const store = new SqliteEventStore({ path: ':memory:', clock: () => new Date(clock.ms) });
  return { store, clock };
}

const touchpoint = () => ({ id: randomUUID(), type: 'touchpoint.recorded.v1', data: {} });
const decision = (event: IdentityGraphEvent) => ({
  id: randomUUID(),
  type: event.type,
  data: event.data,
});
const link = (n: number) =>
  identityLinked({
    identity: { kind: 'email', value: `p${n}@example.com` },
    customerId: `c-${n}`,
    by: STAFF,
    at: AT,
    reason: 'first-seen',
  });

/** Comparable contents of a graph. */
function contents(graph: IdentityGraph) {
  return {
    customers: [...graph.customers.entries()].sort(([a], [b]) => a.localeCompare(b)),
    identities: [...graph.identities.entries()].sort(([a], [b]) => a.localeCompare(b)),
    keptApart: [...graph.keptApart.keys()].sort(),
    eventCount: graph.eventCount,
  };
}

describe('parseAsOf', () => {
  it('takes digits as a log position and an RFC 3339 date-time with an offset as a time', () => {
    expect(parseAsOf('0')).toEqual({ ok: true, value: { position: 0 } });
    expect(parseAsOf('2026')).toEqual({ ok: true, value: { position: 2026 } });
    expect(parseAsOf('2026-03-01T10:00:00+01:00')).toEqual({
      ok: true,
      value: { time: '2026-03-01T09:00:00.000Z', timeMs: Date.UTC(2026, 2, 1, 9) },
    });
    expect(parseAsOf('2026-03-01T09:00:00.5z')).toMatchObject({ ok: true });
  });

  it.each([
    '',
    '-1',
    '1.5',
    'yesterday',
    '2026-03-01',
    '2026-03-01T09:00:00',
    '2026-13-01T00:00:00Z',
    '99999999999999999999',
  ])('refuses %j', (raw) => {
    const parsed = parseAsOf(raw);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors[0]).toMatchObject({ path: 'asOf' });
  });
});

describe('positionAtTime', () => {
  it('finds the last position recorded at or before a time, by binary search', async () => {
    const { store, clock } = logWithClock();
    const recorded: number[] = [];
    for (let i = 0; i < 200; i++) {
      clock.ms = T0 + Math.floor(i / 3) * 1000; // three appends per second
      await store.append(`s-${i}`, [touchpoint()]);
      recorded.push(clock.ms);
    }
    const expected = (ms: number) => recorded.filter((at) => at <= ms).length;
    const reads = jest.spyOn(store, 'readAll');
    for (const ms of [T0 - 1, T0, T0 + 500, T0 + 1000, T0 + 33_999, T0 + 66_000, T0 + 1e9]) {
      reads.mockClear();
      const point = await positionAtTime(store, ms, 200);
      expect(point.position).toBe(expected(ms));
      expect(point.recordedAt).toBe(
        point.position === 0 ? null : new Date(recorded[point.position - 1]).toISOString(),
      );
      // Bounded: ⌈log₂ 200⌉ + 1 reads of one event each, never a scan.
      expect(reads.mock.calls.length).toBeLessThanOrEqual(9);
      expect(reads.mock.calls.every(([options]) => options?.maxCount === 1)).toBe(true);
    }
    expect(await positionAtTime(store, T0, 0)).toEqual({ position: 0, recordedAt: null });
    await store.close();
  });
});

describe('IdentityGraphHistory', () => {
  it('gives the graph as of any position: the decisions up to it, none after', async () => {
    const { store } = logWithClock();
    const decisions: { position: number; event: IdentityGraphEvent }[] = [];
    for (let n = 0; n < 150; n++) {
      await store.append(`customer-${n}`, [touchpoint(), touchpoint()]);
      const events =
        n % 10 === 9
          ? [
              customerMerged({
                survivorId: `c-${n - 1}`,
                mergedId: `c-${n}`,
                evidence: [],
                by: STAFF,
                at: AT,
                reason: 'staff-decision',
              }),
            ]
          : [link(n)];
      if (n % 30 === 29)
        events.push(
          customerUnmerged({
            survivorId: `c-${n - 1}`,
            mergedId: `c-${n}`,
            by: STAFF,
            at: AT,
            reason: 'staff-decision',
          }),
        );
      if (n % 10 === 9) events.unshift(link(n));
      const result = await store.append(IDENTITY_GRAPH_STREAM, events.map(decision));
      result.events.forEach((appended, i) =>
        decisions.push({ position: appended.position, event: events[i] }),
      );
    }
    const foldUpTo = (p: number) =>
      decisions
        .filter((d) => d.position <= p)
        .reduce((g, d) => evolve(g, d.event), EMPTY_IDENTITY_GRAPH);
    const history = new IdentityGraphHistory(store, { snapshotEvery: 16, cached: 4 });
    const head = await store.headPosition();
    // The first call follows the stream to its end; after that, at most one short read each.
    expect(contents(await history.graphAt(head))).toEqual(contents(foldUpTo(head)));
    const reads = jest.spyOn(store, 'readStream');
    for (const position of [0, 1, 2, 3, 50, 51, 97, 200, 333, head - 1, head, 123, 50]) {
      reads.mockClear();
      const graph = await history.graphAt(position);
      expect(contents(graph)).toEqual(contents(foldUpTo(position)));
      expect(reads.mock.calls.length).toBeLessThanOrEqual(1);
      expect(reads.mock.calls.every(([, o]) => (o?.maxCount ?? Infinity) < 16)).toBe(true);
    }
    expect(history.decisions).toBe(decisions.length);
    await expect(history.graphAt(head + 1)).rejects.toThrow(/past the log's head/);

    // Decisions appended later are followed.
    const later = await store.append(IDENTITY_GRAPH_STREAM, [decision(link(1000))]);
    decisions.push({ position: later.position, event: link(1000) });
    expect(contents(await history.graphAt(later.position))).toEqual(
      contents(foldUpTo(later.position)),
    );
    expect((await history.graphAt(head)).customers.has('c-1000')).toBe(false);
    await store.close();
  });
});

describe('IdentityGraphHistory with a tiny cache', () => {
  it.each([
    [1, 0, 16],
    [2, 1, 4],
  ])(
    'keeps at most %i snapshots (%i graphs asked for, a spine every %i) and folds the rest again from the log, answering the same',
    async (snapshots, cached, spineEvery) => {
      const { store } = logWithClock();
      const decisions: { position: number; event: IdentityGraphEvent }[] = [];
      const record = async (events: IdentityGraphEvent[]) => {
        const result = await store.append(IDENTITY_GRAPH_STREAM, events.map(decision));
        result.events.forEach((appended, i) =>
          decisions.push({ position: appended.position, event: events[i] }),
        );
      };
      // Links, merges into the customer before and, for some, an unmerge much later.
      for (let n = 0; n < 120; n++) {
        await store.append(`customer-${n}`, [touchpoint()]);
        await record([link(n)]);
        const pair = { survivorId: `c-${n - 1}`, mergedId: `c-${n}`, by: STAFF, at: AT };
        if (n % 4 === 3)
          await record([customerMerged({ ...pair, evidence: [], reason: 'staff-decision' })]);
        if (n % 8 === 7 && n >= 40)
          await record([
            customerUnmerged({
              survivorId: `c-${n - 41}`,
              mergedId: `c-${n - 40}`,
              by: STAFF,
              at: AT,
              reason: 'staff-decision',
            }),
          ]);
      }
      const foldUpTo = (p: number) =>
        decisions
          .filter((d) => d.position <= p)
          .reduce((g, d) => evolve(g, d.event), EMPTY_IDENTITY_GRAPH);
      const history = new IdentityGraphHistory(store, {
        snapshotEvery: 8,
        snapshots,
        cached,
        spineEvery,
      });
      const head = await store.headPosition();
      expect(contents(await history.graphAt(head))).toEqual(contents(foldUpTo(head)));
      expect(history.decisions).toBe(decisions.length);
      // Far apart, back and forth, and twice: each answer the fold of the decisions up to it.
      const positions = [3, head - 2, 40, 41, 200, 17, head - 30, 90, 3, 200, 1, 260, 0];
      const reads = jest.spyOn(store, 'readStream');
      for (const position of positions) {
        expect(contents(await history.graphAt(position))).toEqual(contents(foldUpTo(position)));
        expect(history.snapshotsHeld).toBeLessThanOrEqual(snapshots);
      }
      // Snapshots let go were folded again from the log: more reads than one per answer.
      expect(reads.mock.calls.length).toBeGreaterThan(positions.length);
      // Asked at once, a snapshot let go is folded again once for all: no more reads for
      // eight callers than for one.
      const once = async (position: number, callers: number) => {
        await history.graphAt(head - 1); // the snapshots near the head held again
        reads.mockClear();
        const graphs = await Promise.all(
          Array.from({ length: callers }, () => history.graphAt(position)),
        );
        graphs.forEach((g) => expect(contents(g)).toEqual(contents(foldUpTo(position))));
        return reads.mock.calls.length;
      };
      if (cached === 0) expect(await once(33, 8)).toBe((await once(33, 1)) + 7);
      await store.close();
    },
  );
});

describe('TimeTravel.resolve', () => {
  async function log() {
    const { store, clock } = logWithClock();
    for (let n = 0; n < 10; n++) {
      clock.ms = T0 + n * 60_000;
      await store.append(`customer-${n}`, [touchpoint()]);
      await store.append(IDENTITY_GRAPH_STREAM, [decision(link(n))]);
    }
    // The log: positions 1 … 20, minute n holds positions 2n+1 (touchpoint) and 2n+2 (its link).
    return { store, travel: new TimeTravel(store, { now: () => T0 + 3_600_000 }) };
  }

  it('answers a position or a time with the position, its recorded time and the graph then', async () => {
    const { store, travel } = await log();
    const byPosition = await travel.resolve('7');
    expect(byPosition.ok && byPosition.value.position).toBe(7);
    expect(byPosition.ok && byPosition.value.recordedAt).toBe(
      new Date(T0 + 3 * 60_000).toISOString(),
    );
    expect(
      byPosition.ok && [...(await byPosition.value.graphAround([])).customers.keys()].sort(),
    ).toEqual(['c-0', 'c-1', 'c-2']);
    const byTime = await travel.resolve('2026-01-01T00:03:30Z');
    expect(byTime.ok && byTime.value.position).toBe(8);
    expect(byTime.ok && (await byTime.value.graphAround([])).customers.size).toBe(4);
    const beforeEverything = await travel.resolve('2025-12-31T23:59:59Z');
    expect(beforeEverything).toEqual({
      ok: true,
      value: { position: 0, recordedAt: null, graphAround: expect.any(Function) },
    });
    expect(beforeEverything.ok && (await beforeEverything.value.graphAround([]))).toBe(
      EMPTY_IDENTITY_GRAPH,
    );
    // A read model that has applied the log up to 5 answers as of 5.
    const capped = await travel.resolve('2026-01-01T00:30:00Z', { upTo: 5 });
    expect(
      capped.ok && [capped.value.position, (await capped.value.graphAround([])).customers.size],
    ).toEqual([5, 2]);
    await store.close();
  });

  it('refuses a malformed asOf, a time in the future and a position past the head', async () => {
    const { store, travel } = await log();
    const message = async (raw: string) => {
      const result = await travel.resolve(raw);
      return result.ok ? 'accepted' : result.errors.map((e) => `${e.path}: ${e.message}`).join();
    };
    expect(await message('last tuesday')).toMatch(
      /^asOf: asOf must be a log position .* or an RFC 3339 time/,
    );
    expect(await message('2026-01-01T02:00:00Z')).toMatch(/in the future/);
    expect(await message('21')).toBe("asOf: asOf position 21 is past the log's head 20");
    expect(await message('20')).toBe('accepted');
    await store.close();
  });
});
