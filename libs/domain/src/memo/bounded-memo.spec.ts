import { BoundedMemo } from './bounded-memo';

describe('BoundedMemo', () => {
  it('computes each key once while it is remembered, and forgets the oldest beyond its bound', () => {
    const asked: string[] = [];
    const memo = new BoundedMemo(2, (key) => {
      asked.push(key);
      return key.length;
    });
    expect([memo.get('a'), memo.get('bb'), memo.get('a')]).toEqual([1, 2, 1]);
    expect(asked).toEqual(['a', 'bb']);
    memo.get('ccc'); // over the bound: 'a', the oldest, is forgotten
    memo.get('bb');
    memo.get('a');
    expect(asked).toEqual(['a', 'bb', 'ccc', 'a']);
  });

  it('remembers an undefined answer too', () => {
    let calls = 0;
    const memo = new BoundedMemo<string | undefined>(10, () => {
      calls += 1;
      return undefined;
    });
    expect([memo.get('x'), memo.get('x')]).toEqual([undefined, undefined]);
    expect(calls).toBe(1);
  });

  it('remembers a null answer too', () => {
    let calls = 0;
    const memo = new BoundedMemo<string | null>(10, () => {
      calls += 1;
      return null;
    });
    memo.get('x');
    memo.get('x');
    expect(calls).toBe(1);
  });
});
