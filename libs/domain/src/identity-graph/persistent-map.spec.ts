import fc from 'fast-check';
import { PersistentMap, hashOfKey } from './persistent-map';

type MapCommand = { op: 'set'; key: string; value: number } | { op: 'delete'; key: string };

// Few distinct keys, so that sets overwrite and deletes hit.
const keyArb = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', 'é', '1'), maxLength: 4 });
const commandArb: fc.Arbitrary<MapCommand> = fc.oneof(
  fc.record({
    op: fc.constant('set' as const),
    key: keyArb,
    value: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({ op: fc.constant('delete' as const), key: keyArb }),
);

const sortedEntries = <V>(map: PersistentMap<V>) =>
  [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe('PersistentMap', () => {
  it('answers like a Map after any sequence of sets and deletes, leaving every earlier version intact', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 80 }), (commands) => {
        let map = PersistentMap.empty<number>();
        const model = new Map<string, number>();
        const versions: [PersistentMap<number>, [string, number][]][] = [];
        for (const command of commands) {
          if (command.op === 'set') {
            map = map.set(command.key, command.value);
            model.set(command.key, command.value);
          } else {
            map = map.delete(command.key);
            model.delete(command.key);
          }
          versions.push([map, [...model].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
          expect(map.size).toBe(model.size);
          for (const [key, value] of model) expect(map.get(key)).toBe(value);
        }
        for (const [version, expected] of versions)
          expect(sortedEntries(version)).toEqual(expected);
      }),
    );
  });

  it('keeps thousands of keys, iterates each once, and shrinks back to empty', () => {
    let map = PersistentMap.empty<number>();
    for (let i = 0; i < 5000; i++) map = map.set(`email:user${i}@example.com`, i);
    expect(map.size).toBe(5000);
    expect(new Set(map.keys()).size).toBe(5000);
    expect(map.get('email:user4321@example.com')).toBe(4321);
    expect(map.has('email:nobody@example.com')).toBe(false);
    for (let i = 0; i < 5000; i++) map = map.delete(`email:user${i}@example.com`);
    expect(map.size).toBe(0);
    expect([...map.entries()]).toEqual([]);
  });

  it('is canonical: the same keys give the same iteration order whatever the history', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(keyArb, { maxLength: 30 }),
        fc.array(keyArb, { maxLength: 30 }),
        (keys, noise) => {
          const direct = PersistentMap.from(keys.map((k) => [k, 1] as const));
          let noisy = PersistentMap.from([...noise, ...keys].map((k) => [k, 1] as const));
          for (const k of noise) if (!keys.includes(k)) noisy = noisy.delete(k);
          expect([...noisy.keys()]).toEqual([...direct.keys()]);
        },
      ),
    );
  });

  it('returns the same map when nothing changes', () => {
    const map = PersistentMap.empty<number>().set('a', 1);
    expect(map.set('a', 1)).toBe(map);
    expect(map.delete('b')).toBe(map);
  });

  it('keeps keys whose hashes collide apart', () => {
    // Found by search: equal 32-bit hashes.
    const [a, b] = ['email:c44034@x.io', 'email:c325900@x.io'];
    expect(hashOfKey(a)).toBe(hashOfKey(b));
    let map = PersistentMap.empty<string>().set(a, 'A').set('other', 'O').set(b, 'B');
    expect([map.get(a), map.get(b), map.size]).toEqual(['A', 'B', 3]);
    map = map.set(a, 'A2');
    expect([map.get(a), map.get(b), map.size]).toEqual(['A2', 'B', 3]);
    const withoutA = map.delete(a);
    expect([withoutA.get(a), withoutA.get(b), withoutA.size]).toEqual([undefined, 'B', 2]);
    expect([...withoutA.keys()].sort()).toEqual([b, 'other'].sort());
    expect(withoutA.delete(b).delete('other').size).toBe(0);
  });
});
