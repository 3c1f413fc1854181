import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type RedisConnection } from './redis-connection';
import { readLua } from './redis-script';

/**
 * What a writer must prove on every write: the key `key` still holds `token`. The read
 * model checks it in the same atomic step as the write, so a projector that lost its lease
 * (a long GC pause, a partition) cannot write after another one has taken over.
 */
export interface RedisFence {
  readonly key: string;
  readonly token: string;
}

export interface RedisLeaseOptions {
  readonly key: string;
  readonly ttlMs: number;
  /** Who holds the lease, readable in the key's value (default `host:pid`). */
  readonly owner?: string;
}

/** How often a standby tries to take a free lease, at most. */
const ACQUIRE_POLL_MS = 200;

// Compare-and-act: only the holder of the token may extend or delete the lease.
const RENEW = readLua(__dirname, 'lease-renew.lua');
const RELEASE = readLua(__dirname, 'lease-release.lua');

/** "Only one projector writes a projection at a time": a Redis lease with a fencing token. */
export class RedisLease {
  readonly key: string;
  readonly ttlMs: number;
  private readonly owner: string;
  private currentToken: string;
  private held = false;
  private timer: NodeJS.Timeout | undefined;
  /** Bumped by `stop()`, so a loop step that was in flight does not reschedule itself. */
  private generation = 0;
  private abandonWaiting: (() => void) | undefined;

  constructor(
    private readonly redis: RedisConnection,
    options: RedisLeaseOptions,
  ) {
    if (!(options.ttlMs >= 3)) throw new RangeError(`lease ${options.key}: ttlMs must be ≥ 3`);
    this.key = options.key;
    this.ttlMs = Math.floor(options.ttlMs);
    this.owner = options.owner ?? `${hostname()}:${process.pid}`;
    this.currentToken = this.newToken();
  }

  /** The token of the current (or next) acquisition. */
  get token(): string {
    return this.currentToken;
  }

  /** The fence for this acquisition; a read model given it refuses writes once it is lost. */
  fence(): RedisFence {
    return { key: this.key, token: this.currentToken };
  }

  async tryAcquire(): Promise<boolean> {
    // Re-acquiring with a new token would fail against our own key; extend it instead.
    if (this.held) return this.renew();
    const token = this.newToken();
    const ok = (await this.redis.set(this.key, token, 'PX', this.ttlMs, 'NX')) === 'OK';
    if (ok) {
      this.currentToken = token;
      this.held = true;
    }
    return ok;
  }

  async renew(): Promise<boolean> {
    const renewed =
      (await this.redis.eval(RENEW, 1, this.key, this.currentToken, this.ttlMs)) === 1;
    if (!renewed) this.held = false;
    return renewed;
  }

  /** Stops renewing and gives the lease up (only if it is still ours). */
  async release(): Promise<boolean> {
    this.stop();
    this.held = false;
    return (await this.redis.eval(RELEASE, 1, this.key, this.currentToken)) === 1;
  }

  /**
   * Resolves once the lease is acquired (retrying every 200 ms, or ttl/3 if shorter), then keeps renewing it
   * every ttl/3. `onLost` is called once, and renewing stops, when a renewal finds the
   * lease taken, or when no renewal succeeded for a whole ttl (Redis unreachable: the key
   * may have expired and been taken by now).
   */
  hold(options: { onLost: () => void }): Promise<void> {
    this.stop();
    const generation = this.generation;
    const period = Math.max(1, Math.floor(this.ttlMs / 3));
    // The key's ttl restarted no earlier than when the last successful renewal was sent.
    let confirmedAt = 0;

    const renewLoop = async (): Promise<void> => {
      const sentAt = Date.now();
      let renewed: boolean | undefined;
      let deadline: NodeJS.Timeout | undefined;
      try {
        // A renewal that does not answer before the ttl runs out counts as unknown: a
        // connection that queues commands while it cannot reach Redis (a cluster's does)
        // would otherwise hold this loop past the moment the key may have expired.
        renewed = await Promise.race([
          this.renew(),
          new Promise<undefined>((resolve) => {
            deadline = setTimeout(
              () => resolve(undefined),
              Math.max(0, confirmedAt + this.ttlMs - sentAt),
            );
            deadline.unref();
          }),
        ]);
      } catch {
        renewed = undefined; // unknown: try again until a whole ttl has passed
      } finally {
        clearTimeout(deadline);
      }
      if (generation !== this.generation) return;
      if (renewed) confirmedAt = sentAt;
      if (renewed === false || Date.now() - confirmedAt >= this.ttlMs) {
        this.held = false;
        options.onLost();
        return;
      }
      this.schedule(renewLoop, period);
    };

    return new Promise<void>((resolve, reject) => {
      this.abandonWaiting = () =>
        reject(new Error(`lease ${this.key}: stopped before it was acquired`));
      const acquireLoop = async (): Promise<void> => {
        const sentAt = Date.now();
        const acquired = await this.tryAcquire().catch(() => false);
        if (generation !== this.generation) return;
        // A standby asks often (SET NX is cheap): it takes over within ~200 ms of a release.
        if (!acquired) return this.schedule(acquireLoop, Math.min(period, ACQUIRE_POLL_MS));
        this.abandonWaiting = undefined;
        confirmedAt = sentAt;
        this.schedule(renewLoop, period);
        resolve();
      };
      void acquireLoop();
    });
  }

  /** Stops acquiring or renewing; the key is left to expire (see `release`). */
  stop(): void {
    this.generation += 1;
    clearTimeout(this.timer);
    this.timer = undefined;
    const abandon = this.abandonWaiting;
    this.abandonWaiting = undefined;
    abandon?.();
  }

  private schedule(step: () => Promise<void>, delayMs: number): void {
    // Unreferenced: a lease alone should not keep the process alive.
    this.timer = setTimeout(() => void step(), delayMs).unref();
  }

  private newToken(): string {
    return `${this.owner}:${randomUUID()}`;
  }
}
