import { DAY_MS } from '@rapport/domain';

/** An hour: the finest bucket of the at-risk index. */
export const HOUR_MS = 3_600_000;

/*
 * The at-risk index files every customer under the time of their last contact, ranked by
 * their ranking key inside each bucket, and keeps each bucket's highest key in an index.
 * "The closest customers with no contact since T" is then a threshold walk: buckets by
 * their highest key (skipping those after T, and in T's own bucket the customers seen after
 * T), each bucket's best in order, stopping as soon as no bucket left can beat the N-th best
 * found — exact, and never a scan of the active customers. Memory files by hour; Redis by
 * day (few index entries to skip per day of window) plus by hour for the day of T (so the
 * one partly filtered bucket is an hour's customers, not a day's).
 */

/** The UTC hour (since the epoch) a time falls in. */
export function contactHour(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}

/** The UTC day (since the epoch) a time falls in. */
export function contactDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
