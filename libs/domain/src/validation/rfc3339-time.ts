import { isoTimeOf } from '../time/iso-time';
import {
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';

// Upper- or lower-case T and Z, as RFC 3339 allows (section 5.6, note on case).
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

export type Rfc3339Time =
  | {
      readonly ok: true;
      readonly timeMs: number;
      readonly iso: string;
      /** Second 60, read as the last millisecond of its minute. */
      readonly leapSecond: boolean;
    }
  | { readonly ok: false; readonly message: string };

/**
 * An RFC 3339 date-time with an offset, read as an instant that `Date` can represent.
 * A date that does not exist (`2025-02-31`) is refused (`Date` would roll it into March).
 * A leap second (`23:59:60`) is normalised to the last millisecond of its minute,
 * `23:59:59.999`: `Date` cannot hold second 60, and the event keeps its place in time.
 */
export function parseRfc3339Time(raw: string): Rfc3339Time {
  return parseUtcTime(raw) ?? parseAnyRfc3339Time(raw);
}

/** The value of the two digits at `at`, or NaN. */
function twoDigits(raw: string, at: number): number {
  const tens = raw.charCodeAt(at) - 48;
  const units = raw.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : Number.NaN;
}

/**
 * The form nearly every producer sends, `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (as
 * `Date.toISOString` writes it), read by character codes: the general path's regular
 * expression, its captures and its two `Date`s were a few microseconds per value on the
 * ingest path. Undefined for anything else (other offsets, lower-case letters, leap seconds,
 * years before 100, invalid values), which `parseAnyRfc3339Time` reads — with the same
 * result, as a property test checks.
 */
export function parseUtcTime(raw: string): Rfc3339Time | undefined {
  const length = raw.length;
  if (length < 20 || length === 21 || length > 30 || raw.charCodeAt(length - 1) !== 90) return;
  if (raw.charCodeAt(4) !== 45 || raw.charCodeAt(7) !== 45 || raw.charCodeAt(10) !== 84) return;
  if (raw.charCodeAt(13) !== 58 || raw.charCodeAt(16) !== 58) return;
  const year = twoDigits(raw, 0) * 100 + twoDigits(raw, 2);
  const month = twoDigits(raw, 5);
  const day = twoDigits(raw, 8);
  const hour = twoDigits(raw, 11);
  const minute = twoDigits(raw, 14);
  const second = twoDigits(raw, 17);
  // NaN fails every comparison, so a non-digit lands here too.
  if (!(year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)))
    return;
  if (!(hour <= 23 && minute <= 59 && second <= 59)) return;
  let millis = 0;
  if (length > 20) {
    if (raw.charCodeAt(19) !== 46) return;
    for (let at = 20; at < length - 1; at += 1) {
      const digit = raw.charCodeAt(at) - 48;
      if (!(digit >= 0 && digit <= 9)) return;
      if (at < 23) millis += digit * (at === 20 ? 100 : at === 21 ? 10 : 1);
    }
  }
  const timeMs = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Written as toISOString writes it already: the same string, not a new one.
  const iso = length === 24 ? raw : isoTimeOf(timeMs);
  return { ok: true, timeMs, iso, leapSecond: false };
}

/** Any RFC 3339 date-time with an offset (the general path of `parseRfc3339Time`). */
export function parseAnyRfc3339Time(raw: string): Rfc3339Time {
  const m = RFC3339.exec(raw);
  if (!m)
    return {
      ok: false,
      message: 'must be an RFC 3339 timestamp with an offset, e.g. 2026-03-01T09:00:00Z or …+01:00',
    };
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return { ok: false, message: `${m[1]}-${m[2]}-${m[3]} is not a calendar date` };
  if (hour > 23 || minute > 59 || second > 60)
    return { ok: false, message: `${m[4]}:${m[5]}:${m[6]} is not a time of day` };
  const offsetHours = m[10] === undefined ? 0 : Number(m[10]);
  const offsetMinutes = m[11] === undefined ? 0 : Number(m[11]);
  if (offsetHours > 23 || offsetMinutes > 59)
    return { ok: false, message: `${m[8]} is not a UTC offset` };
  const leap = second === 60;
  const millis = leap ? 999 : Math.floor(Number(`0${m[7] ?? ''}`) * 1000);
  const sign = m[9] === '-' ? -1 : 1;
  // setUTCFullYear, not Date.UTC: that one reads years 0–99 as 1900–1999.
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, leap ? 59 : second, millis);
  const timeMs = local.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  if (!Number.isFinite(timeMs)) return { ok: false, message: 'is out of the range of dates' };
  return { ok: true, timeMs, iso: new Date(timeMs).toISOString(), leapSecond: leap };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** What `IsRfc3339Time` read: per object it validated, per property, the value and its parse. */
const readByRule = new WeakMap<object, Map<string, { raw: string; time: Rfc3339Time }>>();

function readAndKeep(object: object, property: string, raw: string): Rfc3339Time {
  let read = readByRule.get(object);
  const kept = read?.get(property);
  if (kept?.raw === raw) return kept.time;
  const time = parseRfc3339Time(raw);
  if (!read) readByRule.set(object, (read = new Map()));
  read.set(property, { raw, time });
  return time;
}

/**
 * `object[property]` as `parseRfc3339Time` reads it, parsed once: what `IsRfc3339Time`
 * read when it validated that value on that object, or else a new parse.
 */
export function rfc3339TimeOf<T extends object>(
  object: T,
  property: keyof T & string,
): Rfc3339Time {
  const raw: unknown = object[property];
  if (typeof raw !== 'string')
    return { ok: false, message: 'must be an RFC 3339 timestamp string' };
  const kept = readByRule.get(object)?.get(property);
  return kept?.raw === raw ? kept.time : parseRfc3339Time(raw);
}

/**
 * A class-validator rule: an RFC 3339 time that `parseRfc3339Time` accepts. It keeps what
 * it read, so `rfc3339TimeOf` gives it back instead of parsing the value again.
 */
export function IsRfc3339Time(options?: ValidationOptions) {
  return (target: object, propertyName: string) => {
    const read = (value: string, args?: ValidationArguments) =>
      args ? readAndKeep(args.object, propertyName, value) : parseRfc3339Time(value);
    registerDecorator({
      name: 'isRfc3339Time',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown, args) => typeof value === 'string' && read(value, args).ok,
        defaultMessage: (args) => {
          const value: unknown = args?.value;
          const parsed = typeof value === 'string' ? read(value, args) : null;
          return `${propertyName} ${parsed && !parsed.ok ? parsed.message : 'must be an RFC 3339 timestamp string'}`;
        },
      },
    });
  };
}
