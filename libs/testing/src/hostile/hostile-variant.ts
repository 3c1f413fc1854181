import fc from 'fast-check';
import { hostileValue } from './hostile-values';

/** One way of breaking a valid object at one of its schema's paths. */
type Mutation =
  | { readonly path: readonly string[]; readonly kind: 'set'; readonly value: unknown }
  | { readonly path: readonly string[]; readonly kind: 'unknown-field'; readonly name: string };

const mutation = (paths: readonly (readonly string[])[]): fc.Arbitrary<Mutation> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        path: fc.constantFrom(...paths),
        kind: fc.constant('set' as const),
        value: hostileValue,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        path: fc.constantFrom(...paths),
        kind: fc.constant('unknown-field' as const),
        name: fc.constantFrom('__proto__', 'constructor', 'extra', 'Identity', ''),
      }),
    },
  );

/**
 * Hostile variants of `valid`: one to three of its fields (any depth, paths from
 * `schemaPaths`) replaced by hostile values, deleted, or given an unknown sibling field.
 * The result is JSON-shaped (`undefined` only as a deleted field).
 */
export function hostileVariant<T extends object>(
  valid: T,
  paths: readonly (readonly string[])[],
): fc.Arbitrary<T> {
  return fc
    .array(mutation(paths), { minLength: 1, maxLength: 3 })
    .map((mutations) =>
      mutations.reduce<T>((value, m) => applyMutation(value, m), structuredClone(valid)),
    );
}

function applyMutation<T extends object>(root: T, m: Mutation): T {
  let parent = root as Record<string, unknown>;
  for (const key of m.path.slice(0, -1)) {
    // An earlier mutation replaced this parent: make room again, as a hostile sender might.
    if (typeof parent[key] !== 'object' || parent[key] === null) parent[key] = {};
    parent = parent[key] as Record<string, unknown>;
  }
  const last = m.path[m.path.length - 1];
  if (m.kind === 'unknown-field') {
    if (!Array.isArray(parent))
      Object.defineProperty(parent, m.name, {
        value: 'surprise',
        enumerable: true,
        writable: true,
        configurable: true,
      });
  } else if (m.value === undefined) delete parent[last];
  // A copy: constants are shared between runs, and a later mutation may write into it.
  else parent[last] = structuredClone(m.value);
  return root;
}
