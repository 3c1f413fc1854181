import { RandomPool } from './random-pool';

describe('RandomPool', () => {
  it('hands out each byte once, as a buffer of its own, across refills', () => {
    const pool = new RandomPool(64);
    const draws = Array.from({ length: 40 }, () => pool.take(12));
    expect(draws.every((d) => d.length === 12)).toBe(true);
    // 96 random bits: any two equal draws would be a reuse, not chance.
    expect(new Set(draws.map((d) => d.toString('hex'))).size).toBe(draws.length);
    const first = Buffer.from(draws[0]);
    pool.take(60);
    expect(draws[0]).toEqual(first);
  });

  it('keeps no copy of what it handed out', () => {
    const pool = new RandomPool(64);
    const key = pool.take(32);
    const inside = (pool as unknown as { pool: Buffer }).pool;
    expect(inside.subarray(0, 32).equals(Buffer.alloc(32))).toBe(true);
    expect(inside.indexOf(key)).toBe(-1);
  });

  it('draws more than its size straight from the generator', () => {
    const pool = new RandomPool(16);
    const big = pool.take(100);
    expect(big.length).toBe(100);
    expect(big.equals(Buffer.alloc(100))).toBe(false);
  });
});
