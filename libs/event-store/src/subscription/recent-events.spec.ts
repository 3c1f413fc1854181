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
