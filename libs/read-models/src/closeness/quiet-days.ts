import { DAY_MS } from '@rapport/domain';

/**
 * The at-risk index files every customer under the UTC day of their last contact, ranked
 * by their ranking key inside the day, and keeps each day's highest key in a day index.
 * "The closest customers with no contact since T" then walks the days by their highest key
 * (skipping the few days after T), takes each day's best, and stops as soon as no day left
 * can beat the N-th best found — a threshold walk, exact, touching about N days.
 */
export function contactDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
