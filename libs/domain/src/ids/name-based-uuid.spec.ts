import { v5 as uuidv5 } from 'uuid';
import { nameBasedUuid, rememberingNameBasedUuid } from './name-based-uuid';

const NAMESPACE = '6f1b0c8e-2d7a-4e35-8a41-93c2d5e7b0f4';

describe('nameBasedUuid', () => {
  it('gives the version 5 UUID of the name, as uuid computes it from the string', () => {
    const id = nameBasedUuid(NAMESPACE);
    for (const name of ['a', 'bench/adapter\nmail-4711', 'ünïcødé ✓', ''])
      expect(id(name)).toBe(uuidv5(name, NAMESPACE));
  });

  it('remembers ids without changing them, also past its capacity', () => {
    const id = rememberingNameBasedUuid(NAMESPACE, 3);
    const names = ['a', 'b', 'c', 'd', 'a', 'e', 'b'];
    expect(names.map(id)).toEqual(names.map((n) => uuidv5(n, NAMESPACE)));
  });
});
