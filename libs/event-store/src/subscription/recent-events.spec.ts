import { type RecordedEvent } from '../event-store';
import { RecentEvents } from './recent-events';

const log: RecordedEvent[] = Array.from({ length: 100 }, (_, i) => ({
  id: `e${i + 1}`,
  streamId: 's',
  revision: i,
  position: i + 1,
  type: 't.v1',
  data: { i },
  metadata: {},
  recordedAt: '2026-01-01T00:00:00.000Z',
}));

function countingReader() {
  const calls: [number, number][] = [];
  const read = async (after: number, maxCount: number) => {
    calls.push([after, maxCount]);
    return log.filter((e) => e.position > after).slice(0, maxCount);
  };
  return { calls, read };
}

describe('RecentEvents', () => {
  it('answers a second reader of the same stretch without reading the log again', async () => {
    const recent = new RecentEvents(64);
    const { calls, read } = countingReader();
    const first = await recent.readAll(10, 20, read);
    const second = await recent.readAll(10, 20, read);
    expect(second).toEqual(first);
    expect(second.map((e) => e.position)).toEqual(log.slice(10, 30).map((e) => e.position));
    expect(calls).toEqual([[10, 20]]);
  });

  it('keeps nothing it was told not to remember', async () => {
    const recent = new RecentEvents(64);
    const { calls, read } = countingReader();
    await recent.readAll(10, 20, read, false);
    const again = await recent.readAll(10, 20, read);
    expect(again.map((e) => e.position)).toEqual(log.slice(10, 30).map((e) => e.position));
    expect(calls).toEqual([
      [10, 20],
      [10, 20],
    ]);
  });

  it('reads only what it does not hold, from the first event it lacks', async () => {
    const recent = new RecentEvents(64);
    const { calls, read } = countingReader();
    await recent.readAll(0, 10, read);
    const events = await recent.readAll(5, 10, read);
    expect(events.map((e) => e.position)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(calls).toEqual([
      [0, 10],
      [10, 5],
    ]);
  });

  it('forgets what its capacity cannot hold and reads it again, in order', async () => {
    const recent = new RecentEvents(16);
    const { calls, read } = countingReader();
    await recent.readAll(0, 100, read);
    expect((await recent.readAll(0, 100, read)).map((e) => e.position)).toEqual(
      log.map((e) => e.position),
    );
    expect(calls).toEqual([
      [0, 100],
      [0, 100],
    ]);
    // The last 16 are still there.
    expect((await recent.readAll(84, 16, read)).length).toBe(16);
    expect(calls).toHaveLength(2);
  });

  it('hands out nothing past the head, and asks the log each time', async () => {
    const recent = new RecentEvents(16);
    const { calls, read } = countingReader();
    expect(await recent.readAll(100, 10, read)).toEqual([]);
    expect(await recent.readAll(100, 10, read)).toEqual([]);
    expect(calls).toHaveLength(2);
  });
});

describe('RecentEvents followers', () => {
  /** Resolves once the promise settled, or says it had not within `ms`. */
  const settledWithin = (promise: Promise<unknown>, ms: number) =>
    Promise.race([
      promise.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms)),
    ]);

  it('a follower about to overwrite what another has yet to read waits for it to move on', async () => {
    const recent = new RecentEvents(16, 10_000);
    const { calls, read } = countingReader();
    const fast = recent.follow();
    const slow = recent.follow();
    await recent.readAll(0, 10, read, true, slow); // slow has 1–10 in hand, needs 11 next
    await recent.readAll(0, 10, read, true, fast);
    // Reading on to 27 would put 27 in the slot of 11 (16 slots): fast waits.
    const ahead = recent.readAll(10, 17, read, true, fast);
    expect(await settledWithin(ahead, 50)).toBe(false);
    expect(calls).toEqual([[0, 10]]);
    await recent.readAll(10, 5, read, true, slow); // slow takes 11–15 from the log
    expect((await ahead).map((e) => e.position)).toEqual(log.slice(10, 27).map((e) => e.position));
    // What slow needs next (16 on) was not overwritten: it comes from memory.
    const before = calls.length;
    expect((await recent.readAll(15, 12, read, true, slow)).map((e) => e.position)).toEqual(
      log.slice(15, 27).map((e) => e.position),
    );
    expect(calls).toHaveLength(before);
    fast.close();
    slow.close();
  });

  it('does not wait for a follower that has not moved for stuckAfterMs', async () => {
    const recent = new RecentEvents(16, 30);
    const { read } = countingReader();
    const fast = recent.follow();
    const stuck = recent.follow();
    await recent.readAll(0, 10, read, true, stuck);
    await recent.readAll(0, 10, read, true, fast);
    const started = Date.now();
    expect(await recent.readAll(10, 17, read, true, fast)).toHaveLength(17);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    // Overrun now, stuck holds nobody back any more.
    const again = Date.now();
    await recent.readAll(27, 16, read, true, fast);
    expect(Date.now() - again).toBeLessThan(25);
    fast.close();
    stuck.close();
  });

  it('a closed follower, a reader without one and a reader told not to remember never wait', async () => {
    const recent = new RecentEvents(16, 10_000);
    const { read } = countingReader();
    const gone = recent.follow();
    await recent.readAll(0, 10, read, true, gone);
    const fast = recent.follow();
    await expect(settledWithin(recent.readAll(0, 40, read), 50)).resolves.toBe(true);
    await expect(settledWithin(recent.readAll(0, 40, read, false, fast), 50)).resolves.toBe(true);
    gone.close();
    await expect(settledWithin(recent.readAll(40, 40, read, true, fast), 50)).resolves.toBe(true);
    fast.close();
  });

  it('a late reader does not push newer events out of memory', async () => {
    const recent = new RecentEvents(16);
    const { calls, read } = countingReader();
    await recent.readAll(0, 40, read); // 25–40 held
    await recent.readAll(0, 10, read); // 1–10 read again: slots of 17–26 keep 17–26
    const before = calls.length;
    expect((await recent.readAll(24, 16, read)).map((e) => e.position)[0]).toBe(25);
    expect(calls).toHaveLength(before);
  });
});

describe('RecentEvents reads in flight', () => {
  it('readers asking at once for the same new events read the log once', async () => {
    const recent = new RecentEvents(64);
    const { calls, read } = countingReader();
    const slowRead = async (after: number, maxCount: number) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return read(after, maxCount);
    };
    const pages = await Promise.all([
      recent.readAll(0, 10, slowRead, true, recent.follow()),
      recent.readAll(0, 10, slowRead, true, recent.follow()),
      recent.readAll(0, 10, slowRead),
    ]);
    for (const page of pages)
      expect(page.map((e) => e.position)).toEqual(log.slice(0, 10).map((e) => e.position));
    expect(calls).toEqual([[0, 10]]);
  });

  it('a reader of another stretch does not wait for a read in flight', async () => {
    const recent = new RecentEvents(64);
    const { calls, read } = countingReader();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const heldRead = async (after: number, maxCount: number) => {
      if (after === 50) await held;
      return read(after, maxCount);
    };
    const ahead = recent.readAll(50, 10, heldRead);
    expect((await recent.readAll(0, 10, heldRead)).map((e) => e.position)[0]).toBe(1);
    release();
    expect((await ahead).map((e) => e.position)[0]).toBe(51);
    expect(calls).toEqual([
      [0, 10],
      [50, 10],
    ]);
  });
});
