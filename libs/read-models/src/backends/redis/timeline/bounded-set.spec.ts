import { BoundedSet } from './bounded-set';

describe('BoundedSet', () => {
  it('holds at most max members, forgetting the oldest added', () => {
    const set = new BoundedSet(3);
    for (const member of ['a', 'b', 'c', 'a', 'd', 'e']) set.add(member);
    expect(['a', 'b', 'c', 'd', 'e'].filter((m) => set.has(m))).toEqual(['c', 'd', 'e']);
    expect(set.size).toBe(3);
  });

  it('stays within its bound through deletes, re-adds and clears', () => {
    const set = new BoundedSet(4);
    for (let i = 0; i < 1000; i++) {
      set.add(`m${i % 7}`);
      if (i % 5 === 0) set.delete(`m${i % 3}`);
      if (i % 97 === 0) set.clear();
      expect(set.size).toBeLessThanOrEqual(4);
    }
    set.clear();
    expect(set.size).toBe(0);
    set.add('x');
    expect(set.has('x')).toBe(true);
    set.delete('x');
    expect(set.has('x')).toBe(false);
  });

  it('refuses a bound below one', () => {
    expect(() => new BoundedSet(0)).toThrow(RangeError);
  });
});
