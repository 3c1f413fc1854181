import { type Validated, invalid, valid } from '@rapport/domain';

/** RFC 3339 date-time with an offset: `2026-06-01T12:00:00Z`, `2026-06-01T14:00:00.250+02:00`. */
export const RFC3339_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** What `?asOf=` asks for: a log position, or a time (the log as it was then). */
export type AsOfRequest =
  { readonly position: number } | { readonly time: string; readonly timeMs: number };

export const AS_OF_USAGE =
  'asOf must be a log position (a whole number, e.g. 1234) or an RFC 3339 time with an offset (e.g. 2026-01-31T09:00:00Z)';

/**
 * Parses `asOf`: digits only is a log position (so `2026` is position 2026, not a year —
 * a time needs a date, a time of day and an offset); anything else must be an RFC 3339
 * date-time. Whether it lies in the past is for `TimeTravel` to say: that needs the log.
 */
export function parseAsOf(raw: string, path = 'asOf'): Validated<AsOfRequest> {
  const bad = (message: string): Validated<AsOfRequest> => invalid({ path, message });
  if (/^\d+$/.test(raw)) {
    const position = Number(raw);
    return Number.isSafeInteger(position)
      ? valid({ position })
      : bad(`asOf position ${raw} is not a log position`);
  }
  const timeMs = Date.parse(raw);
  if (!RFC3339_DATE_TIME.test(raw) || !Number.isFinite(timeMs)) return bad(AS_OF_USAGE);
  return valid({ time: new Date(timeMs).toISOString(), timeMs });
}
