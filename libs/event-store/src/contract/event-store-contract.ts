import { randomBytes, randomUUID } from 'node:crypto';
import {
  EventIdConflictError,
  EventTooLargeError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../errors';
import {
  type AppendResult,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '../event-store';

/** How the contract suite gets a fresh, empty store of one adapter. */
export interface EventStoreAdapterUnderTest {
  readonly name: string;
  /** A new empty store; `undefined` skips the suite (the adapter explains why itself). */
  open(): Promise<EventStore | undefined>;
  /** Largest event the adapter is configured to accept in `open()`. */
  readonly maxEventBytes: number;
  /**
   * Whether positions count the log's events: 1, 2, 3, … with no gaps (SQLite,
   * PostgreSQL). EventStoreDB's are `$all` commit positions: increasing and unique, but
   * with gaps, so the suite checks their order and consistency instead. Default true.
   */
  readonly positionsAreCounters?: boolean;
  /**
   * Whether an append is refused when one of its ids is already in ANOTHER stream.
   * EventStoreDB has no index of event ids; its adapter cannot see that. Default true.
   */
  readonly detectsIdsInOtherStreams?: boolean;
}

/** Positions that are checkpoints: each greater than the one before, and above 0. */
function expectIncreasing(positions: readonly number[]): void {
  positions.forEach((p, i) => expect(p).toBeGreaterThan(i === 0 ? 0 : positions[i - 1]));
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

/** Waits until `condition` holds, checking every few milliseconds; fails after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The behaviour every EventStore adapter must have. Written once; an adapter joins by
 * adding one line to `event-store.contract.spec.ts`.
 */
export function describeEventStoreContract(adapter: EventStoreAdapterUnderTest): void {
  const counters = adapter.positionsAreCounters !== false;
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
      const positions = result.events.map((e) => e.position);
      if (counters) expect(positions).toEqual([1, 2]);
      else expectIncreasing(positions);
      expect(result.position).toBe(positions[1]);
      expect(await store.headPosition()).toBe(positions[1]);
      expect((await store.readAll()).map((e) => e.position)).toEqual(positions);
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
      const appended = await store.append('s-u', [event]);
      const [read] = await store.readStream('s-u');
      expect(read).toMatchObject({
        id: event.id,
        streamId: 's-u',
        revision: 0,
        position: appended.position,
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
      const first = await store.append('s-3', [newEvent()]);
      await expect(store.append('s-3', [newEvent(), newEvent()], 5)).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      expect(await store.headPosition()).toBe(first.position);
    });

    test('re-appending the same event id is a no-op that answers with the original position', async () => {
      const events = [newEvent('a.v1', { k: 1, z: [1, 2] }), newEvent('b.v1', { k: 2 })];
      const first = await store.append('s-4', events, 'no_stream');
      const other = await store.append('other', [newEvent()]);
      // A retry with the same expectation it had the first time succeeds idempotently.
      const again = await store.append('s-4', events, 'no_stream');
      expect(again.events.map((e) => [e.position, e.revision, e.duplicate])).toEqual([
        [first.events[0].position, 0, true],
        [first.events[1].position, 1, true],
      ]);
      expect(again.position).toBe(first.position);
      // Key order does not make an event different.
      const reordered = { ...events[0], data: { z: [1, 2], k: 1 } };
      const third = await store.append('s-4', [reordered], 'any');
      expect(third.events[0]).toMatchObject({
        position: first.events[0].position,
        duplicate: true,
      });
      expect(await store.headPosition()).toBe(other.position);
      expect((await store.readStream('s-4')).length).toBe(2);
    });

    test('an event appended again under another trace context is a duplicate, not a conflict', async () => {
      const trace = (span: string) => ({ traceparent: `00-${'a'.repeat(32)}-${span}-01` });
      const event = {
        ...newEvent('a.v1', { k: 1 }),
        metadata: { m: 1, trace: trace('1'.repeat(16)) },
      };
      const first = await store.append('s-trace', [event]);
      const again = await store.append('s-trace', [
        { ...event, metadata: { m: 1, trace: trace('2'.repeat(16)) } },
      ]);
      expect(again.events[0]).toMatchObject({ position: first.position, duplicate: true });
      const untraced = await store.append('s-trace', [{ ...event, metadata: { m: 1 } }]);
      expect(untraced.events[0]).toMatchObject({ position: first.position, duplicate: true });
      await expect(
        store.append('s-trace', [{ ...event, metadata: { m: 2, trace: trace('1'.repeat(16)) } }]),
      ).rejects.toBeInstanceOf(EventIdConflictError);
    });

    test('the same event id with other content, or in another stream, is a typed error', async () => {
      const event = newEvent('a.v1', { k: 1 });
      const first = await store.append('s-5', [event]);
      await expect(store.append('s-5', [{ ...event, data: { k: 2 } }])).rejects.toBeInstanceOf(
        EventIdConflictError,
      );
      if (adapter.detectsIdsInOtherStreams !== false) {
        await expect(store.append('s-6', [event])).rejects.toMatchObject({
          name: 'EventIdConflictError',
          eventId: event.id,
        });
      }
      expect(await store.headPosition()).toBe(first.position);
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
      const positions = all.map((e) => e.position);
      if (counters) expect(positions).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      else expectIncreasing(positions);
      expect(all.map((e) => (e.data as { i: number }).i)).toEqual(
        Array.from({ length: 12 }, (_, i) => i),
      );
      const page = await store.readAll({ after: positions[4], maxCount: 4 });
      expect(page.map((e) => e.position)).toEqual(positions.slice(5, 9));
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
      const checkpoint = (await store.readAll())[7].position;
      if (counters) expect(checkpoint).toBe(8);
      const seenPromise = collect(store, checkpoint, (seen) => seen.length >= 32);
      for (let i = 20; i < 40; i += 1) {
        await store.append(`c-${i % 4}`, [newEvent('n.v1', { i })]);
        if (i % 5 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      const seen = await seenPromise;
      const expected = (await store.readAll()).slice(8).map((e) => e.position);
      if (counters) expect(expected).toEqual(Array.from({ length: 32 }, (_, i) => i + 9));
      expect(seen.map((e) => e.position)).toEqual(expected);
    });

    test('a subscription reports when it has caught up, and stops', async () => {
      const appended = await store.append('cu', [newEvent(), newEvent()]);
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
      expect(caughtUp[0]).toBe(appended.position);
      expect(delivered).toBe(2);
      await sub.stop();
      await store.append('cu', [newEvent()]);
      await new Promise((r) => setTimeout(r, 50));
      expect(delivered).toBe(2);
      await expect(sub.finished).resolves.toBeUndefined();
    });

    test('concurrent appends with the same expected revision: exactly one wins each round', async () => {
      const writers = 10;
      const rounds = 5;
      // Round 0 races to create the stream; each later round races on its last revision.
      const winners: string[] = [];
      for (let round = 0; round <= rounds; round += 1) {
        const expected = round === 0 ? 'no_stream' : round - 1;
        const events = Array.from({ length: writers }, (_, w) =>
          newEvent('race.v1', { round, writer: w }),
        );
        const settled = await Promise.allSettled(
          events.map((event) => store.append('race', [event], expected)),
        );
        const won = settled.flatMap((s, w) => (s.status === 'fulfilled' ? [w] : []));
        expect(won).toHaveLength(1);
        for (const s of settled) {
          if (s.status === 'rejected') {
            expect(s.reason).toBeInstanceOf(WrongExpectedRevisionError);
            expect(s.reason).toMatchObject({ streamId: 'race', expected, actual: round });
          } else {
            expect(s.value.nextExpectedRevision).toBe(round);
          }
        }
        winners.push(events[won[0]].id);
      }
      const stream = await store.readStream('race');
      expect(stream.map((e) => e.revision)).toEqual(
        Array.from({ length: rounds + 1 }, (_, i) => i),
      );
      expect(stream.map((e) => e.id)).toEqual(winners);
      if (counters) expect(stream[rounds].position).toBe(rounds + 1);
      expect(await store.headPosition()).toBe(stream[rounds].position);
    });

    test('the same event appended by concurrent callers is stored once, and all get its position', async () => {
      const callers = 10;
      const rounds = 5;
      await store.append('idem', [newEvent()]);
      // Round r appends a new event, at revision r + 1 and position r + 2, from every caller
      // at once: plain appends, appends whose expectation held only for the first attempt
      // (a retry still succeeds), and appendMany.
      for (let round = 0; round < rounds; round += 1) {
        const event = newEvent('idem.v1', { round, text: 'once' });
        const settled = await Promise.allSettled(
          Array.from({ length: callers }, async (_, c) => {
            if (c % 3 === 0) return store.append('idem', [event], 'any');
            if (c % 3 === 1) return store.append('idem', [event], round);
            const [outcome] = await store.appendMany([
              { streamId: 'idem', events: [event], expectedRevision: 'any' },
            ]);
            if (!outcome.ok) throw outcome.error;
            return outcome.result;
          }),
        );
        const answers = settled.map((s) => (s.status === 'fulfilled' ? s.value : s.reason));
        const [stored] = await store.readStream('idem', { direction: 'backwards', maxCount: 1 });
        expect(stored).toMatchObject({ id: event.id, revision: round + 1 });
        if (counters) expect(stored.position).toBe(round + 2);
        for (const answer of answers) {
          expect(answer).toMatchObject({
            streamId: 'idem',
            position: stored.position,
            nextExpectedRevision: round + 1,
            events: [
              expect.objectContaining({
                id: event.id,
                revision: round + 1,
                position: stored.position,
              }),
            ],
          });
        }
        expect(answers.filter((a) => a.events[0].duplicate === false)).toHaveLength(1);
      }
      const idem = await store.readStream('idem');
      expect(idem).toHaveLength(rounds + 1);
      expect(await store.headPosition()).toBe(idem[rounds].position);
    });

    test('a subscription started in the middle of the log, inside an append, replays the rest then follows', async () => {
      for (let i = 0; i < 6; i += 1) {
        await store.append(
          `mid-${i % 2}`,
          Array.from({ length: 5 }, (_, j) => newEvent('n.v1', { n: i * 5 + j })),
        );
      }
      const positions = (await store.readAll()).map((e) => e.position);
      if (counters) expect(positions).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      const caughtUp: number[] = [];
      const seen: RecordedEvent[] = [];
      const sub = store.subscribeToAll(
        { after: positions[11], batchSize: 4 },
        {
          onEvents: (events) => void seen.push(...events),
          onCaughtUp: (position) => void caughtUp.push(position),
        },
      );
      try {
        await waitUntil(() => caughtUp.length > 0);
        expect(caughtUp[0]).toBe(positions[29]);
        expect(seen.map((e) => e.position)).toEqual(positions.slice(12));
        expect(seen.map((e) => (e.data as { n: number }).n)).toEqual(
          Array.from({ length: 18 }, (_, i) => i + 12),
        );
        const live = await store.append('mid-live', [
          newEvent('n.v1', { n: 30 }),
          newEvent('n.v1', { n: 31 }),
        ]);
        await waitUntil(() => seen.length === 20);
        expect(seen.slice(18).map((e) => e.position)).toEqual(live.events.map((e) => e.position));
        if (counters) expect(live.events.map((e) => e.position)).toEqual([31, 32]);
      } finally {
        await sub.stop();
      }
    });

    test('a live subscription sees every event of concurrent writers exactly once, in position order', async () => {
      const writers = 6;
      const appendsPerWriter = 25;
      const seen: RecordedEvent[] = [];
      let caughtUp = false;
      const sub = store.subscribeToAll(
        { batchSize: 10 },
        {
          onEvents: (events) => void seen.push(...events),
          onCaughtUp: () => void (caughtUp = true),
        },
      );
      await waitUntil(() => caughtUp);
      // Each writer appends in sequence (so its own order is defined), alternating single
      // appends, batches and appendMany, while the others do the same.
      // What each append answered: the position and revision it says each event got.
      const answered = new Map<string, [number, number]>();
      const written = await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const ids: string[] = [];
          for (let n = 0; n < appendsPerWriter; n += 1) {
            const events = Array.from({ length: 1 + (n % 3) }, () => newEvent('w.v1', { w, n }));
            let result: AppendResult;
            if (n % 4 === 3) {
              const [outcome] = await store.appendMany([
                { streamId: `w-${w}`, events, expectedRevision: 'any' },
              ]);
              if (!outcome.ok) throw outcome.error;
              result = outcome.result;
            } else {
              result = await store.append(`w-${w}-${n % 2}`, events);
            }
            for (const e of result.events) answered.set(e.id, [e.position, e.revision]);
            ids.push(...events.map((e) => e.id));
          }
          return ids;
        }),
      );
      const total = written.reduce((sum, ids) => sum + ids.length, 0);
      try {
        await waitUntil(() => seen.length >= total);
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        await sub.stop();
      }
      if (counters) {
        expect(seen.map((e) => e.position)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      } else {
        expect(seen).toHaveLength(total);
        expectIncreasing(seen.map((e) => e.position));
        expect(seen.map((e) => e.position)).toEqual((await store.readAll()).map((e) => e.position));
      }
      expect(new Set(seen.map((e) => e.id)).size).toBe(total);
      // Every append answered where its events really are.
      expect(new Map(seen.map((e) => [e.id, [e.position, e.revision]]))).toEqual(answered);
      const positionOf = new Map(seen.map((e) => [e.id, e.position]));
      for (const ids of written) {
        const positions = ids.map((id) => positionOf.get(id) ?? -1);
        expect(positions.every((p, i) => p > 0 && (i === 0 || p > positions[i - 1]))).toBe(true);
      }
    });

    test('keeps binary data byte for byte, and reads it back as a Buffer', async () => {
      const random = randomBytes(4096);
      // NUL bytes, invalid UTF-8 (lone continuation byte, truncated and overlong sequences,
      // 0xFF) and a UTF-16 lone surrogate encoded as bytes.
      const tricky = Buffer.from([
        0x00, 0x00, 0x80, 0xc3, 0x28, 0xe2, 0x82, 0xc0, 0xaf, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x00,
      ]);
      const plain = new Uint8Array([1, 2, 3, 0, 255]);
      const events = [
        newEvent('bin.v1', random, { contentType: 'application/octet-stream' }),
        newEvent('bin.v1', tricky),
        newEvent('bin.v1', plain),
        newEvent('bin.v1', Buffer.alloc(0)),
        newEvent('json.v1', { still: 'json' }),
      ];
      const expected = [random, tricky, Buffer.from(plain), Buffer.alloc(0)];
      const mutable = Buffer.from(tricky);
      const late = newEvent('bin.v1', mutable);
      await store.append('bin', events);
      const pending = store.append('bin', [late]);
      // The store keeps the bytes it was given, not the caller's buffer.
      mutable.fill(0x41);
      await pending;

      const check = (read: RecordedEvent[]) => {
        expect(read).toHaveLength(6);
        expected.forEach((bytes, i) => {
          expect(Buffer.isBuffer(read[i].data)).toBe(true);
          expect((read[i].data as Buffer).equals(bytes)).toBe(true);
        });
        expect(read[0].metadata).toEqual({ contentType: 'application/octet-stream' });
        expect(read[4].data).toEqual({ still: 'json' });
        expect((read[5].data as Buffer).equals(tricky)).toBe(true);
      };
      check(await store.readStream('bin'));
      check(await store.readAll());
      check(await collect(store, 0, (seen) => seen.length >= 6));
      expect(
        (await store.readStream('bin', { direction: 'backwards', maxCount: 1 }))[0].data,
      ).toEqual(tricky);
    });

    test('binary data is idempotent on its bytes, and bounded in size', async () => {
      const bytes = randomBytes(64);
      const event = newEvent('bin.v1', bytes);
      const first = await store.append('bin-idem', [event]);
      const again = await store.append('bin-idem', [{ ...event, data: Buffer.from(bytes) }]);
      expect(again.events[0]).toMatchObject({ position: first.position, duplicate: true });
      const flipped = Buffer.from(bytes);
      flipped[63] ^= 1;
      await expect(store.append('bin-idem', [{ ...event, data: flipped }])).rejects.toBeInstanceOf(
        EventIdConflictError,
      );
      // Bytes are not the same event as JSON that happens to describe them.
      await expect(
        store.append('bin-idem', [{ ...event, data: bytes.toString('base64') }]),
      ).rejects.toBeInstanceOf(EventIdConflictError);
      const json = newEvent('json.v1', { n: 1 });
      const jsonAppended = await store.append('bin-idem', [json]);
      await expect(
        store.append('bin-idem', [{ ...json, data: Buffer.from(JSON.stringify({ n: 1 })) }]),
      ).rejects.toBeInstanceOf(EventIdConflictError);
      await expect(
        store.append('bin-idem', [newEvent('big.v1', Buffer.alloc(adapter.maxEventBytes + 1))]),
      ).rejects.toBeInstanceOf(EventTooLargeError);
      expect(await store.headPosition()).toBe(jsonAppended.position);
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
