import { type RateLimitCounter } from './rate-limit-counter';

/** What one replica knows of a key's current window. */
interface LocalWindow {
  /** The key's hits in the shared counter at the last sync (every replica's). */
  shared: number;
  /** This replica's hits since then, not yet added to the shared counter. */
  pending: number;
  /** When the window ends (this process's clock, from the shared counter's expiry). */
  endsAt: number;
  /** When the shared counter last answered for the key. */
  syncedAt: number;
  /** A round trip under way that hits wait for (the window's first, or one after a pause). */
  opening?: Promise<void>;
}

/**
 * A shared fixed-window counter counted locally between syncs. The first hit of a key's window
 * goes to the shared counter and waits for it (one round trip, which learns the window's end
 * and the other replicas' hits), and so does a hit after the key was not synced for two
 * intervals; every other hit is counted in this process, and the hits are added to the shared
 * counter in one `hit(key, window, n)` per key every `syncEveryMs`, which brings back the
 * other replicas' hits. A replica therefore sees its own hits at once and the others' at most
 * two sync intervals late: with R replicas, a principal can get past the limit by what the
 * other R − 1 admit in that time. Hits not yet synced when the process dies are lost (the
 * window forgets them); `close` syncs what is pending.
 */
export class SyncedRateLimitCounter implements RateLimitCounter {
  private readonly windows = new Map<string, LocalWindow>();
  private readonly timer: NodeJS.Timeout;
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly shared: RateLimitCounter,
    private readonly windowMs: number,
    private readonly syncEveryMs = 100,
  ) {
    this.timer = setInterval(() => void this.sync(), syncEveryMs);
    this.timer.unref();
  }

  async hit(key: string, windowMs: number, hits = 1): Promise<{ hits: number; resetInMs: number }> {
    if (windowMs !== this.windowMs) return this.shared.hit(key, windowMs, hits);
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { shared: 0, pending: 0, endsAt: Number.POSITIVE_INFINITY, syncedAt: 0 };
      this.windows.set(key, window);
    }
    if (!window.opening && now - window.syncedAt > 2 * this.syncEveryMs) {
      // Opening, or after a pause: this hit (and what is pending) goes to the shared counter.
      const sent = window.pending + hits;
      window.pending = 0;
      const opened = window;
      opened.opening = this.shared.hit(key, windowMs, sent).then(
        (answer) => {
          opened.shared = answer.hits;
          opened.endsAt = Date.now() + answer.resetInMs;
          opened.syncedAt = Date.now();
          opened.opening = undefined;
        },
        (error: unknown) => {
          // Nothing was learned: the next hit tries again.
          opened.opening = undefined;
          if (this.windows.get(key) === opened && opened.shared === 0) this.windows.delete(key);
          throw error;
        },
      );
      await opened.opening;
      return { hits: opened.shared, resetInMs: Math.max(0, opened.endsAt - Date.now()) };
    }
    window.pending += hits;
    if (!window.opening)
      return { hits: window.shared + window.pending, resetInMs: window.endsAt - now };
    // Hits while the window opens count after the opening one, in their order.
    const after = window.pending;
    await window.opening;
    return { hits: window.shared + after, resetInMs: Math.max(0, window.endsAt - Date.now()) };
  }

  /** Adds every key's pending hits to the shared counter (one call per key) and forgets ended windows. */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(async () => {
      const now = Date.now();
      const sends: Promise<void>[] = [];
      for (const [key, window] of this.windows) {
        if (window.endsAt <= now) {
          this.windows.delete(key);
          continue;
        }
        if (window.pending === 0 || window.opening) continue;
        const sent = window.pending;
        window.pending = 0;
        sends.push(
          this.shared.hit(key, this.windowMs, sent).then(
            (answer) => {
              window.shared = answer.hits; // ours included; `pending` counts on from zero
              window.endsAt = Date.now() + answer.resetInMs;
              window.syncedAt = Date.now();
            },
            () => {
              window.pending += sent; // tried again at the next sync
            },
          ),
        );
      }
      await Promise.all(sends);
    });
    return this.syncing;
  }

  /** Stops syncing, after one last sync of the pending hits. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sync();
  }
}
