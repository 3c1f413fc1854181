import { identityKey, isErased, isPseudonym } from '@rapport/domain';
import { type TimelineReadModel } from '@rapport/read-models';

/** `email:~…`, `social:instagram:~…`: a pseudonymous identity key in a response. */
const PSEUDONYMOUS_KEY = /^([a-z]+):(?:([^:~]+):)?(~[A-Za-z0-9_-]{22})$/;

type Json = Record<string, unknown>;
const isPlainObject = (value: unknown): value is Json =>
  typeof value === 'object' &&
  value !== null &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

function isIdentity(value: Json): value is Json & { kind: string; value: string } {
  return (
    typeof value.kind === 'string' && typeof value.value === 'string' && isPseudonym(value.value)
  );
}

/**
 * A JSON body with every pseudonymous identity in it replaced by its plain value from the
 * timeline's directory (one read of it): what the interceptor does to every response.
 */
export async function revealIdentities(
  body: unknown,
  timelines: Pick<TimelineReadModel, 'plainIdentities'>,
): Promise<unknown> {
  if (!isPlainObject(body) && !Array.isArray(body)) return body;
  const keys = new Set<string>();
  collect(body, keys);
  if (keys.size === 0) return body;
  const plain = await timelines.plainIdentities([...keys]);
  return replace(body, plain);
}

function collect(value: unknown, keys: Set<string>): void {
  if (typeof value === 'string') {
    if (PSEUDONYMOUS_KEY.test(value)) keys.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, keys);
  } else if (isPlainObject(value)) {
    if (isIdentity(value)) keys.add(identityKey(value as never));
    for (const field of Object.values(value)) collect(field, keys);
  }
}

function replace(value: unknown, plain: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') {
    const match = PSEUDONYMOUS_KEY.exec(value);
    const known = match ? plain.get(value) : undefined;
    if (!match || known === undefined) return value;
    return match[2] ? `${match[1]}:${match[2]}:${known}` : `${match[1]}:${known}`;
  }
  if (Array.isArray(value)) return value.map((item) => replace(item, plain));
  if (!isPlainObject(value)) return value;
  const out: Json = {};
  for (const [field, inner] of Object.entries(value)) out[field] = replace(inner, plain);
  if (isIdentity(value)) {
    const { plainValue, ...identity } = out;
    const known =
      typeof plainValue === 'string' ? plainValue : plain.get(identityKey(value as never));
    if (known !== undefined) return { ...identity, value: known };
    return isErased(plainValue) ? { ...identity, erased: true } : identity;
  }
  return out;
}
