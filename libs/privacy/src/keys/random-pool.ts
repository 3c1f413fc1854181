import { randomBytes, randomFillSync } from 'node:crypto';

/**
 * Random bytes for many small draws (data keys, their wrapping IVs) from one buffer filled by
 * the CSPRNG ahead of time: a call into OpenSSL's generator costs about 8 µs however few bytes
 * it returns, a copy out of the buffer well under one. Each byte is handed out once, as a copy
 * of its own, and zeroed in the buffer, so no key outlives its holder here.
 */
export class RandomPool {
  private readonly pool: Buffer;
  private used: number;

  constructor(size = 4096) {
    this.pool = Buffer.allocUnsafeSlow(size);
    this.used = size;
  }

  /** `count` fresh random bytes. */
  take(count: number): Buffer {
    if (count > this.pool.length) return randomBytes(count);
    if (this.used + count > this.pool.length) {
      randomFillSync(this.pool);
      this.used = 0;
    }
    const end = this.used + count;
    const taken = Buffer.allocUnsafe(count);
    this.pool.copy(taken, 0, this.used, end);
    this.pool.fill(0, this.used, end);
    this.used = end;
    return taken;
  }
}

/** The process's pool: synchronous, so every caller can share it. */
export const randomPool = new RandomPool();
