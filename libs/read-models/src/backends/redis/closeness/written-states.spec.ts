import { WrittenStates } from './written-states';

describe('WrittenStates', () => {
  it('keeps what was written while batches follow each other, and forgets it otherwise', () => {
    const written = new WrittenStates<number>(10);
    expect(written.continues(0)).toBe(false);
    written.wrote([['a', 1]], 5);
    expect(written.continues(5)).toBe(true);
    expect(written.get('a')).toBe(1);
    // A batch from elsewhere than the last write: another writer moved the checkpoint.
    expect(written.continues(7)).toBe(false);
    expect(written.has('a')).toBe(false);
    written.wrote([['b', 2]], 9);
    written.forget(); // a failed write
    expect(written.continues(9)).toBe(false);
  });

  it('drops the least recently written first when over its bound', () => {
    const written = new WrittenStates<number>(2);
    written.wrote(
      [
        ['a', 1],
        ['b', 2],
      ],
      1,
    );
    written.wrote([['a', 3]], 2); // a written again: b is now the oldest
    written.wrote([['c', 4]], 3);
    expect([written.has('a'), written.has('b'), written.has('c')]).toEqual([true, false, true]);
    expect(written.get('a')).toBe(3);
  });
});
