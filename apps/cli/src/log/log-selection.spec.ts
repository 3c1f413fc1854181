import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '@rapport/event-store';
import { parseLogBound, resolveRange } from './log-selection';

describe('resolveRange', () => {
  it('turns a time --from into the first position the log committed at or after it', async () => {
    const clock = { ms: Date.UTC(2026, 2, 1) };
    const store = new SqliteEventStore({ path: ':memory:', clock: () => new Date(clock.ms) });
    // Positions 1–3 at minute 0, 4–6 at minute 1, … 28–30 at minute 9.
    for (let i = 0; i < 30; i++) {
      clock.ms = Date.UTC(2026, 2, 1) + Math.floor(i / 3) * 60_000;
      await store.append(`s-${i}`, [
        { id: randomUUID(), type: 'touchpoint.recorded.v1', data: {} },
      ]);
    }
    const fromTime = async (text: string) =>
      (await resolveRange(store, { from: { time: Date.parse(text), text } })).after + 1;
    expect(await fromTime('2026-03-01T00:00:00Z')).toBe(1);
    expect(await fromTime('2026-03-01T00:01:00Z')).toBe(4);
    expect(await fromTime('2026-03-01T00:01:00.001Z')).toBe(7);
    expect(await fromTime('2026-03-01T00:09:00Z')).toBe(28);
    expect(await fromTime('2026-03-01T00:09:30Z')).toBe(31); // past the last: nothing selected
    expect(await fromTime('2026-02-01T00:00:00Z')).toBe(1);
    await store.close();
  });
});

describe('parseLogBound', () => {
  it('takes a position, a date (UTC midnight) or a time with an offset, and says which when not', () => {
    expect(parseLogBound('from', '1000')).toEqual({ position: 1000 });
    expect(parseLogBound('from', '2026-03-01')).toEqual({
      time: Date.UTC(2026, 2, 1),
      text: '2026-03-01',
    });
    expect(parseLogBound('to', '2026-03-01T10:00:00+01:00')).toEqual({
      time: Date.UTC(2026, 2, 1, 9),
      text: '2026-03-01T10:00:00+01:00',
    });
    // No offset: each machine would read it in its own timezone.
    expect(() => parseLogBound('from', '2026-03-01T09:00:00')).toThrow(
      /--from 2026-03-01T09:00:00: expected a log position \(e\.g\. 1000\), a date \(UTC midnight/,
    );
    expect(() => parseLogBound('from', '0')).toThrow(/a position is a whole number from 1/);
  });
});
