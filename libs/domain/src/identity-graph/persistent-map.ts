/**
 * An immutable string-keyed map with structural sharing (a hash array mapped trie): `set`
 * and `delete` copy only the path to the changed entry, and every earlier map stays valid.
 * Why: docs/decisions/0022-identity-graph-on-a-persistent-map.md.
 *
 * The trie is canonical: the same set of keys always gives the same shape, whatever the
 * order of insertions and deletions (single-entry branches below the root collapse).
 */

const BITS = 5;
const FANOUT_MASK = (1 << BITS) - 1;

interface Leaf<V> {
  readonly tag: 'leaf';
  readonly hash: number;
  readonly key: string;
  readonly value: V;
}

/** Keys whose full hashes are equal. */
interface Collision<V> {
  readonly tag: 'collision';
  readonly hash: number;
  readonly leaves: readonly Leaf<V>[];
}

interface Branch<V> {
  readonly tag: 'branch';
  /** Bit i set ⇔ the child for hash fragment i exists; children are stored densely. */
  readonly bitmap: number;
  readonly children: readonly TrieNode<V>[];
}

type TrieNode<V> = Leaf<V> | Collision<V> | Branch<V>;

// A module binding, not a global look-up per call
// (docs/decisions/0022-identity-graph-on-a-persistent-map.md).
const imul = Math.imul;

const EMPTY_BRANCH: Branch<never> = { tag: 'branch', bitmap: 0, children: [] };

/** FNV-1a over UTF-16 code units, then a murmur3 finaliser so that similar keys spread. */
export function hashOfKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return imul(x, 0x01010101) >>> 24;
}

function fragment(hash: number, shift: number): number {
  return (hash >>> shift) & FANOUT_MASK;
}

function replaced<T>(items: readonly T[], index: number, item: T): T[] {
  const copy = items.slice();
  copy[index] = item;
  return copy;
}

function inserted<T>(items: readonly T[], index: number, item: T): T[] {
  const copy = items.slice(0, index);
  copy.push(item);
  for (let i = index; i < items.length; i++) copy.push(items[i]);
  return copy;
}

function removed<T>(items: readonly T[], index: number): T[] {
  return items.slice(0, index).concat(items.slice(index + 1));
}

/** A node holding two hashed nodes that met at `shift` (their hashes differ, or they collide). */
function joinNodes<V>(shift: number, a: Leaf<V> | Collision<V>, b: Leaf<V>): TrieNode<V> {
  if (a.hash === b.hash) {
    const leaves = a.tag === 'leaf' ? [a, b] : [...a.leaves, b];
    return { tag: 'collision', hash: a.hash, leaves };
  }
  const fa = fragment(a.hash, shift);
  const fb = fragment(b.hash, shift);
  if (fa === fb) {
    return { tag: 'branch', bitmap: 1 << fa, children: [joinNodes(shift + BITS, a, b)] };
  }
  return {
    tag: 'branch',
    bitmap: (1 << fa) | (1 << fb),
    children: fa < fb ? [a, b] : [b, a],
  };
}

function lookup<V>(node: TrieNode<V>, hash: number, key: string): Leaf<V> | undefined {
  let shift = 0;
  for (;;) {
    switch (node.tag) {
      case 'leaf':
        return node.key === key ? node : undefined;
      case 'collision':
        return node.leaves.find((leaf) => leaf.key === key);
      case 'branch': {
        const bit = 1 << fragment(hash, shift);
        if ((node.bitmap & bit) === 0) return undefined;
        node = node.children[popcount(node.bitmap & (bit - 1))];
        shift += BITS;
      }
    }
  }
}

/** Set by `put` when the key was new: spares `set` a second walk down the trie. */
interface PutOutcome {
  grew: boolean;
}

function branch<V>(bitmap: number, children: readonly TrieNode<V>[]): Branch<V> {
  return { tag: 'branch', bitmap, children };
}

/** The node with `leaf` put in; `node` itself when nothing changed. */
function put<V>(node: TrieNode<V>, shift: number, leaf: Leaf<V>, outcome: PutOutcome): TrieNode<V> {
  switch (node.tag) {
    case 'leaf':
      if (node.key === leaf.key) return node.value === leaf.value ? node : leaf;
      outcome.grew = true;
      return joinNodes(shift, node, leaf);
    case 'collision': {
      const index = node.hash === leaf.hash ? node.leaves.findIndex((l) => l.key === leaf.key) : -1;
      if (index < 0) {
        outcome.grew = true;
        return node.hash === leaf.hash
          ? { tag: 'collision', hash: node.hash, leaves: [...node.leaves, leaf] }
          : joinNodes(shift, node, leaf);
      }
      if (node.leaves[index].value === leaf.value) return node;
      return { tag: 'collision', hash: node.hash, leaves: replaced(node.leaves, index, leaf) };
    }
    case 'branch': {
      const bit = 1 << fragment(leaf.hash, shift);
      const index = popcount(node.bitmap & (bit - 1));
      if ((node.bitmap & bit) === 0) {
        outcome.grew = true;
        return branch(node.bitmap | bit, inserted(node.children, index, leaf));
      }
      const child = node.children[index];
      const next = put(child, shift + BITS, leaf, outcome);
      return next === child ? node : branch(node.bitmap, replaced(node.children, index, next));
    }
  }
}

/** The node without `key`: `node` itself when absent, `undefined` when it became empty. */
function drop<V>(
  node: TrieNode<V>,
  shift: number,
  hash: number,
  key: string,
): TrieNode<V> | undefined {
  switch (node.tag) {
    case 'leaf':
      return node.key === key ? undefined : node;
    case 'collision': {
      const index = node.leaves.findIndex((l) => l.key === key);
      if (index < 0) return node;
      const leaves = removed(node.leaves, index);
      return leaves.length === 1 ? leaves[0] : { tag: 'collision', hash: node.hash, leaves };
    }
    case 'branch': {
      const bit = 1 << fragment(hash, shift);
      if ((node.bitmap & bit) === 0) return node;
      const index = popcount(node.bitmap & (bit - 1));
      const child = node.children[index];
      const next = drop(child, shift + BITS, hash, key);
      if (next === child) return node;
      if (next === undefined) {
        const children = removed(node.children, index);
        if (children.length === 0) return undefined;
        // A lone leaf (or collision) below the root moves up: keeps the trie canonical.
        if (children.length === 1 && children[0].tag !== 'branch' && shift > 0) return children[0];
        return branch(node.bitmap & ~bit, children);
      }
      if (node.children.length === 1 && next.tag !== 'branch' && shift > 0) return next;
      return branch(node.bitmap, replaced(node.children, index, next));
    }
  }
}

function* leavesOf<V>(node: TrieNode<V>): Generator<Leaf<V>> {
  switch (node.tag) {
    case 'leaf':
      yield node;
      return;
    case 'collision':
      yield* node.leaves;
      return;
    case 'branch':
      for (const child of node.children) yield* leavesOf(child);
  }
}

export class PersistentMap<V> {
  private static readonly emptyMap = new PersistentMap<never>(EMPTY_BRANCH, 0);

  private constructor(
    private readonly root: TrieNode<V>,
    /** Number of entries. */
    readonly size: number,
  ) {}

  static empty<V>(): PersistentMap<V> {
    return PersistentMap.emptyMap as PersistentMap<V>;
  }

  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    let map = PersistentMap.empty<V>();
    for (const [key, value] of entries) map = map.set(key, value);
    return map;
  }

  get(key: string): V | undefined {
    return lookup(this.root, hashOfKey(key), key)?.value;
  }

  has(key: string): boolean {
    return lookup(this.root, hashOfKey(key), key) !== undefined;
  }

  /** A map with `key` set to `value`; this map when the key already holds that exact value. */
  set(key: string, value: V): PersistentMap<V> {
    const outcome: PutOutcome = { grew: false };
    const root = put(this.root, 0, { tag: 'leaf', hash: hashOfKey(key), key, value }, outcome);
    return root === this.root ? this : new PersistentMap(root, this.size + (outcome.grew ? 1 : 0));
  }

  /** A map without `key`; this map when the key is absent. */
  delete(key: string): PersistentMap<V> {
    const root = drop(this.root, 0, hashOfKey(key), key);
    if (root === this.root) return this;
    // At the root `drop` never collapses: the root stays a branch (or the map is empty).
    return root === undefined ? PersistentMap.empty<V>() : new PersistentMap(root, this.size - 1);
  }

  /** The entries in trie order: stable for a given key set, but not sorted. */
  *entries(): IterableIterator<[string, V]> {
    for (const leaf of leavesOf(this.root)) yield [leaf.key, leaf.value];
  }

  *keys(): IterableIterator<string> {
    for (const leaf of leavesOf(this.root)) yield leaf.key;
  }

  *values(): IterableIterator<V> {
    for (const leaf of leavesOf(this.root)) yield leaf.value;
  }
}
