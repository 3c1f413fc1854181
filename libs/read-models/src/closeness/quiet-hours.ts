/** An hour: the width of the at-risk index's buckets. */
export const HOUR_MS = 3_600_000;

/**
 * The at-risk index files every customer under the UTC hour of their last contact, ranked
 * by their ranking key inside the hour, and keeps each hour's highest key in an index of
 * hours. "The closest customers with no contact since T" then walks the hours by their
 * highest key (skipping the hours after T, and on T's own hour the customers seen after T),
 * takes each hour's best, and stops as soon as no hour left can beat the N-th best found —
 * a threshold walk, exact. Hours rather than days keep the one partly-filtered bucket small
 * (a 24th of a day's customers) at the price of skipping 24 index entries per day of window.
 */
export function contactHour(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}
