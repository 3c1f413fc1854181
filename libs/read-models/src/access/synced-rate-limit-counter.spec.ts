import { memoryAccessStores } from '../backends/memory/memory-access-stores';
import { type RateLimitCounter } from './rate-limit-counter';
import { SyncedRateLimitCounter } from './synced-rate-limit-counter';

/** The shared counter (memory backend), counting the calls that reach it. */
function sharedCounter() {
  const inner = memoryAccessStores().rateLimits;
  const calls: number[] = [];
  const counter: RateLimitCounter = {
    hit(key, windowMs, hits = 1) {
      calls.push(hits);
      return inner.hit(key, windowMs, hits);
    },
  };
  return { counter, calls };
}

describe('SyncedRateLimitCounter', () => {
  it('counts locally after the window opens and adds the hits to the shared counter per sync', async () => {
    const { counter, calls } = sharedCounter();
    const local = new SyncedRateLimitCounter(counter, 60_000, Infinity, 60_000);
    const seen = [];
    for (let i = 0; i < 5; i += 1) seen.push((await local.hit('p1', 60_000)).hits);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(calls).toEqual([1]); // the opening hit only
    await local.sync();
    expect(calls).toEqual([1, 4]);
    expect((await counter.hit('p1', 60_000)).hits).toBe(6);
    await local.close();
  });

  it('numbers the hits that arrive while the window opens after the opening one', async () => {
    const { counter, calls } = sharedCounter();
    const local = new SyncedRateLimitCounter(counter, 60_000, Infinity, 60_000);
    const seen = await Promise.all([1, 2, 3].map(() => local.hit('p1', 60_000)));
    expect(seen.map((s) => s.hits)).toEqual([1, 2, 3]);
    expect(calls).toEqual([1]);
    await local.close();
    expect(calls).toEqual([1, 2]);
  });

  it("sees another replica's hits after a sync", async () => {
    const { counter } = sharedCounter();
    const a = new SyncedRateLimitCounter(counter, 60_000, Infinity, 60_000);
    const b = new SyncedRateLimitCounter(counter, 60_000, Infinity, 60_000);
    await a.hit('p1', 60_000);
    await a.hit('p1', 60_000);
    await a.sync();
    expect((await b.hit('p1', 60_000)).hits).toBe(3);
    await a.hit('p1', 60_000); // 4 in all; a knows 3
    await a.sync();
    expect((await a.hit('p1', 60_000)).hits).toBe(5);
    await Promise.all([a.close(), b.close()]);
  });

  it('asks the shared counter again after a pause', async () => {
    const { counter, calls } = sharedCounter();
    const a = new SyncedRateLimitCounter(counter, 60_000, Infinity, 10);
    const b = new SyncedRateLimitCounter(counter, 60_000, Infinity, 60_000);
    await a.hit('p1', 60_000);
    await b.hit('p1', 60_000);
    await new Promise((r) => setTimeout(r, 40));
    expect((await a.hit('p1', 60_000)).hits).toBe(3);
    expect(calls).toEqual([1, 1, 1]);
    await Promise.all([a.close(), b.close()]);
  });

  it('opens a new window once the old one ends', async () => {
    const { counter } = sharedCounter();
    const local = new SyncedRateLimitCounter(counter, 50, Infinity, 60_000);
    await local.hit('p1', 50);
    await local.hit('p1', 50);
    await new Promise((r) => setTimeout(r, 80));
    expect((await local.hit('p1', 50)).hits).toBe(1);
    await local.close();
  });

  it('asks the shared counter for every hit once the count nears the limit', async () => {
    const { counter, calls } = sharedCounter();
    const a = new SyncedRateLimitCounter(counter, 60_000, 2, 60_000);
    const b = new SyncedRateLimitCounter(counter, 60_000, 2, 60_000);
    const seen = [];
    for (const replica of [a, b, a, b, a, b]) seen.push((await replica.hit('p1', 60_000)).hits);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(calls).toEqual([1, 1, 1, 1, 1, 1]);
    await Promise.all([a.close(), b.close()]);
  });

  it('passes windows of another length straight to the shared counter', async () => {
    const { counter, calls } = sharedCounter();
    const local = new SyncedRateLimitCounter(counter, 60_000, Infinity, 60_000);
    await local.hit('p1', 1000);
    await local.hit('p1', 1000);
    expect(calls).toEqual([1, 1]);
    await local.close();
  });
});
