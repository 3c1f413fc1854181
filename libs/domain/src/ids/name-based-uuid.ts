import { parse as parseUuid, v5 as uuidv5 } from 'uuid';

/**
 * Name-based (version 5) UUIDs in one namespace: the same name always gives the same id,
 * on every replica and in every replay. Names go to `uuid` as bytes, the namespace parsed
 * once: docs/decisions/0023-validation-and-ids-on-the-ingest-path.md.
 */
export function nameBasedUuid(namespace: string): (name: string) => string {
  const bytes = parseUuid(namespace);
  return (name) => uuidv5(Buffer.from(name, 'utf8'), bytes);
}

/**
 * The same, remembering the most recent names (ids of people, which repeat): a Map that is
 * emptied when it reaches `capacity`, so memory stays bounded.
 */
export function rememberingNameBasedUuid(
  namespace: string,
  capacity = 50_000,
): (name: string) => string {
  const derive = nameBasedUuid(namespace);
  let known = new Map<string, string>();
  return (name) => {
    let id = known.get(name);
    if (id === undefined) {
      if (known.size >= capacity) known = new Map();
      id = derive(name);
      known.set(name, id);
    }
    return id;
  };
}
