/** Counts hits per key in fixed windows, shared by every replica of a service. */
export interface RateLimitCounter {
  /**
   * Counts `hits` hits (one by default); answers how many the key has in the current window
   * and when it ends.
   */
  hit(
    key: string,
    windowMs: number,
    hits?: number,
  ): Promise<{ readonly hits: number; readonly resetInMs: number }>;
}
