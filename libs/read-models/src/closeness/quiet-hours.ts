import { DAY_MS } from '@rapport/domain';

/** An hour: the finest bucket of the at-risk index. */
export const HOUR_MS = 3_600_000;

/*
 * The at-risk index files every customer under the time of their last contact (memory: by
 * hour; Redis: by day, and by hour for the day of T), ranked by ranking key, with each
 * bucket's highest key in an index; "the closest customers with no contact since T" is a
 * best-first threshold walk over it
 * (docs/decisions/0014-forward-decay-for-closeness-rankings.md#the-at-risk-index).
 */

/** The UTC hour (since the epoch) a time falls in. */
export function contactHour(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}

/** The UTC day (since the epoch) a time falls in. */
export function contactDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
