import { validateSync } from 'class-validator';
import fc from 'fast-check';
import {
  IsRfc3339Time,
  parseAnyRfc3339Time,
  parseRfc3339Time,
  parseUtcTime,
  rfc3339TimeOf,
} from './rfc3339-time';

class Stamped {
  @IsRfc3339Time()
  time!: unknown;
}

const stamped = (time: unknown) => Object.assign(new Stamped(), { time });

describe('parseRfc3339Time', () => {
  it.each([
    ['2026-03-01T09:00:00Z', '2026-03-01T09:00:00.000Z'],
    ['2026-03-01t09:00:00.25z', '2026-03-01T09:00:00.250Z'],
    ['2026-03-01T10:00:00.123456789+01:00', '2026-03-01T09:00:00.123Z'],
    ['2024-02-29T00:00:00-00:30', '2024-02-29T00:30:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0099-12-31T23:00:00Z', '0099-12-31T23:00:00.000Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z'],
  ])('reads %s as %s', (raw, iso) => {
    expect(parseRfc3339Time(raw)).toEqual({
      ok: true,
      timeMs: Date.parse(iso),
      iso,
      leapSecond: false,
    });
  });

  it('normalises a leap second to the last millisecond of its minute', () => {
    expect(parseRfc3339Time('2025-12-31T23:59:60Z')).toMatchObject({
      ok: true,
      iso: '2025-12-31T23:59:59.999Z',
      leapSecond: true,
    });
    expect(parseRfc3339Time('2016-12-31T23:59:60.5+01:00')).toMatchObject({
      ok: true,
      iso: '2016-12-31T22:59:59.999Z',
      leapSecond: true,
    });
  });

  it.each([
    ['2025-02-29T00:00:00Z', 'is not a calendar date'],
    ['2025-04-31T00:00:00Z', 'is not a calendar date'],
    ['2025-13-01T00:00:00Z', 'is not a calendar date'],
    ['2025-00-10T00:00:00Z', 'is not a calendar date'],
    ['2025-01-01T24:00:00Z', 'is not a time of day'],
    ['2025-01-01T10:61:00Z', 'is not a time of day'],
    ['2025-01-01T10:00:00+24:00', 'is not a UTC offset'],
    ['2025-01-01T10:00:00', 'RFC 3339'],
    ['2025-01-01', 'RFC 3339'],
    ['2025-01-01T10:00:00.Z', 'RFC 3339'],
    ['+275760-09-13T00:00:00Z', 'RFC 3339'],
    ['２０２５-01-01T10:00:00Z', 'RFC 3339'],
  ])('refuses %s', (raw, message) => {
    const result = parseRfc3339Time(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });

  it('agrees with Date on every valid instant it formats, and never throws on any string', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01'), max: new Date('9999-12-31') }), (d) => {
        if (Number.isNaN(d.getTime())) return;
        const result = parseRfc3339Time(d.toISOString());
        expect(result).toEqual({
          ok: true,
          timeMs: d.getTime(),
          iso: d.toISOString(),
          leapSecond: false,
        });
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (raw) => {
        const result = parseRfc3339Time(raw);
        if (result.ok) expect(new Date(result.iso).getTime()).toBe(result.timeMs);
      }),
    );
  });
});

describe('the fast path for UTC times', () => {
  const digits = (n: number) =>
    fc
      .integer({ min: 0, max: 10 ** n - 1 })
      .map((v) => (n === 0 ? '' : String(v).padStart(n, '0')));
  /** Strings shaped like `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, valid or not, with a character changed now and then. */
  const nearlyUtc = fc
    .record({
      year: digits(4),
      month: digits(2),
      day: digits(2),
      hour: digits(2),
      minute: digits(2),
      second: digits(2),
      fraction: fc.oneof(
        fc.constant(''),
        digits(0).map(() => '.'),
        fc.nat(11).chain((n) => digits(n).map((d) => `.${d}`)),
      ),
      zone: fc.constantFrom('Z', 'z', '+00:00', '-01:30', ''),
      separator: fc.constantFrom('T', 't', ' '),
      change: fc.option(fc.tuple(fc.nat(40), fc.string({ unit: 'binary', maxLength: 1 })), {
        nil: undefined,
      }),
    })
    .map(({ year, month, day, hour, minute, second, fraction, zone, separator, change }) => {
      const raw = `${year}-${month}-${day}${separator}${hour}:${minute}:${second}${fraction}${zone}`;
      if (!change) return raw;
      const at = change[0] % raw.length;
      return raw.slice(0, at) + change[1] + raw.slice(at + 1);
    });

  it('reads every string as the general parser does', () => {
    fc.assert(
      fc.property(nearlyUtc, (raw) => {
        expect(parseRfc3339Time(raw)).toEqual(parseAnyRfc3339Time(raw));
      }),
      { numRuns: 5_000 },
    );
  });

  it('takes every instant Date.toISOString writes from year 100 on', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0100-01-01'), max: new Date('9999-12-31') }), (d) => {
        if (Number.isNaN(d.getTime())) return;
        const iso = d.toISOString();
        expect(parseUtcTime(iso)).toEqual({
          ok: true,
          timeMs: d.getTime(),
          iso,
          leapSecond: false,
        });
        expect(parseUtcTime(iso.replace(/\.\d+Z$/, 'Z'))).toBeDefined();
      }),
    );
  });

  it.each([
    '2026-03-01T09:00:00.057Z',
    '2026-03-01T09:00:00.9999999Z',
    '2024-02-29T23:59:59.5Z',
    '2025-02-29T00:00:00Z',
    '2026-03-01T24:00:00Z',
    '2026-03-01T09:00:60Z',
    '0099-03-01T09:00:00.000Z',
  ])('reads %s as the general parser does', (raw) => {
    expect(parseRfc3339Time(raw)).toEqual(parseAnyRfc3339Time(raw));
  });
});

describe('IsRfc3339Time and rfc3339TimeOf: one parse per value', () => {
  it('gives back what the rule read when it validated the value, without parsing again', () => {
    const valid = stamped('2025-12-31T23:59:60Z');
    expect(validateSync(valid)).toEqual([]);
    const read = rfc3339TimeOf(valid, 'time');
    expect(read).toEqual(parseRfc3339Time('2025-12-31T23:59:60Z'));
    expect(rfc3339TimeOf(valid, 'time')).toBe(read); // kept, not a new parse

    const unvalidated = stamped('2026-03-01T09:00:00Z');
    expect(rfc3339TimeOf(unvalidated, 'time')).toEqual(parseRfc3339Time('2026-03-01T09:00:00Z'));
    expect(rfc3339TimeOf(unvalidated, 'time')).not.toBe(rfc3339TimeOf(unvalidated, 'time'));
  });

  it('parses a value changed since it was validated, and reports what it refused', () => {
    const changed = stamped('2026-03-01T09:00:00Z');
    validateSync(changed);
    changed.time = '2026-03-01T10:00:00+01:00';
    expect(rfc3339TimeOf(changed, 'time')).toMatchObject({
      ok: true,
      iso: '2026-03-01T09:00:00.000Z',
    });

    const [error] = validateSync(stamped('2025-02-29T00:00:00Z'));
    expect(error.constraints).toEqual({ isRfc3339Time: 'time 2025-02-29 is not a calendar date' });
    const [notString] = validateSync(stamped(20260301));
    expect(notString.constraints).toEqual({
      isRfc3339Time: 'time must be an RFC 3339 timestamp string',
    });
    expect(rfc3339TimeOf(stamped(20260301), 'time')).toMatchObject({ ok: false });
  });
});
