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
  /** A round trip to the shared counter under way, which other hits of the key wait for. */
  opening?: Promise<void>;
}

/**
 * A shared fixed-window counter counted locally between syncs, where that cannot matter.
 *
 * A hit goes to the shared counter and waits for its answer (one round trip, which learns the
 * window's end and the other replicas' hits) when the key's window opens, when the key was not
 * synced for two intervals, and when the count this replica knows has reached `localBelow`
 * (e.g. half the limit): near the limit every hit is counted exactly, as without this class.
 * Every other hit is counted in this process; the hits are added to the shared counter in one
 * `hit(key, window, n)` per key every `syncEveryMs`, which brings back the other replicas'
 * hits. Far from the limit a replica sees the others' hits at most two intervals late, so R
 * replicas together can admit up to R × `localBelow` in one burst before each knows of the
 * others. Hits not yet synced when the process dies are lost (the window forgets them);
 * `close` syncs what is pending.
 */
export class SyncedRateLimitCounter implements RateLimitCounter {
  private readonly windows = new Map<string, LocalWindow>();
  private readonly timer: NodeJS.Timeout;
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly shared: RateLimitCounter,
    private readonly windowMs: number,
    private readonly localBelow = Number.POSITIVE_INFINITY,
    private readonly syncEveryMs = 100,
  ) {
    this.timer = setInterval(() => void this.sync(), syncEveryMs);
    this.timer.unref();
  }

  async hit(key: string, windowMs: number, hits = 1): Promise<{ hits: number; resetInMs: number }> {
    if (windowMs !== this.windowMs) return this.shared.hit(key, windowMs, hits);
    for (;;) {
      const now = Date.now();
      let window = this.windows.get(key);
      if (!window || window.endsAt <= now) {
        window = { shared: 0, pending: 0, endsAt: Number.POSITIVE_INFINITY, syncedAt: 0 };
        this.windows.set(key, window);
      }
      const known = window.shared + window.pending + hits;
      if (now - window.syncedAt <= 2 * this.syncEveryMs && known < this.localBelow) {
        window.pending += hits;
        return { hits: known, resetInMs: window.endsAt - now };
      }
      if (window.opening) {
        // One round trip at a time per key; then look again.
        await window.opening.catch(() => undefined);
        continue;
      }
      return this.ask(key, window, hits);
    }
  }

  /** This hit, and what is pending, to the shared counter; waits for its count. */
  private async ask(key: string, window: LocalWindow, hits: number) {
    const sent = window.pending + hits;
    window.pending = 0;
    window.opening = this.shared.hit(key, this.windowMs, sent).then(
      (answer) => {
        window.shared = answer.hits;
        window.endsAt = Date.now() + answer.resetInMs;
        window.syncedAt = Date.now();
        window.opening = undefined;
      },
      (error: unknown) => {
        window.opening = undefined;
        window.pending += sent - hits; // the others' hits, for the next try
        throw error;
      },
    );
    await window.opening;
    return { hits: window.shared, resetInMs: Math.max(0, window.endsAt - Date.now()) };
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
