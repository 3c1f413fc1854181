import { type RedisConnection } from './redis-connection';
import {
  type CustomerRecord,
  customerPairKey,
  customersInvolvedIn,
  evolve,
  type IdentityGraph,
  type IdentityGraphEvent,
  identityMovedBy,
  type IdentityRecord,
  identityKey,
  PersistentMap,
} from '@rapport/domain';
import { type RedisGraphKeys } from './redis-keys';

/** What `apply` writes for a batch's identity events (whole records; setting them is idempotent). */
export interface GraphWrites {
  readonly customers: [string, string][];
  readonly identities: [string, string][];
  readonly pairs: [string, string][];
  readonly eventCount: number;
}

/**
 * Where `loadGraph` finds the graph's records: RedisConnection (`redisGraphRecords`), or a writer's
 * own complete copy in process (`WrittenGraph`), which answers without a round trip.
 */
export interface GraphRecords {
  identities(keys: readonly string[]): Promise<(IdentityRecord | undefined)[]>;
  customers(ids: readonly string[]): Promise<(CustomerRecord | undefined)[]>;
  eventCount(): Promise<number>;
}

/** The graph's records as stored in Redis (one HMGET per step of a walk). */
export function redisGraphRecords(redis: RedisConnection, keys: RedisGraphKeys): GraphRecords {
  const parsed = <T>(raw: (string | null)[]) =>
    raw.map((value) => (value === null ? undefined : (JSON.parse(value) as T)));
  return {
    identities: async (list) => parsed<IdentityRecord>(await redis.hmget(keys.identities, ...list)),
    customers: async (ids) => parsed<CustomerRecord>(await redis.hmget(keys.customers, ...ids)),
    eventCount: async () => Number((await redis.get(keys.eventCount)) ?? 0),
  };
}

/**
 * Folds identity events into the stored graph with the domain's `evolve`, on the part of
 * the graph they touch: the customers they name, the customers those redirect to, and the
 * identities they place (with their current homes). `evolve` reads nothing else, so the
 * part evolves exactly as the whole graph would. Only the projector that holds the lease
 * calls it, between two applies, so nothing changes the graph meanwhile. Returns the
 * folded part: its records are what the batch writes (`graphWrites`).
 */
export async function foldIdentityEvents(
  records: GraphRecords,
  events: readonly IdentityGraphEvent[],
): Promise<IdentityGraph> {
  const customerIds = events.flatMap(customersInvolvedIn);
  const identityKeys = events.flatMap((event) => {
    const moved = identityMovedBy(event);
    return moved ? [identityKey(moved)] : [];
  });
  let graph = await loadGraph(records, customerIds, identityKeys, {
    down: false,
    ownIdentities: false,
  });
  for (const event of events) graph = evolve(graph, event);
  return graph;
}

/**
 * The part of the graph the queries about these customers read: each one's chain of
 * survivors, the whole merge group below the top one, every identity of those customers,
 * and which of them were kept apart.
 */
export async function loadGraphAround(
  redis: RedisConnection,
  keys: RedisGraphKeys,
  customerIds: readonly string[],
  options: { keptApart?: boolean } = {},
): Promise<IdentityGraph> {
  const graph = await loadGraph(redisGraphRecords(redis, keys), customerIds, [], {
    down: true,
    ownIdentities: true,
  });
  const ids = [...graph.customers.keys()];
  if (!options.keptApart || ids.length < 2 || ids.length > 64) return graph;
  let keptApart = graph.keptApart;
  const pairs: string[] = [];
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++) pairs.push(customerPairKey(ids[i], ids[j]));
  const raw = await redis.hmget(keys.pairs, ...pairs.map((pair) => `kept:${pair}`));
  pairs.forEach((pair, i) => {
    if (raw[i] !== null) keptApart = keptApart.set(pair, true);
  });
  return { ...graph, keptApart };
}

/**
 * The part of the graph a batch that names these customers and identities folds and then
 * asks about: the records themselves, each customer's chain of survivors and whole merge
 * group (so `mergeGroupOf` and `identityKeysOf` answer), and the count of events folded.
 */
export function loadGraphForBatch(
  records: GraphRecords,
  customerIds: readonly string[],
  identityKeys: readonly string[],
): Promise<IdentityGraph> {
  return loadGraph(records, customerIds, identityKeys, {
    down: true,
    ownIdentities: false,
    eventCount: true,
  });
}

/**
 * The graph's records as hash writes (whole records: setting them again is idempotent). With
 * `before`, the graph they were loaded as, only those a batch changed: records evolve into new
 * objects, so one that is still the object loaded is as Redis holds it.
 */
export function graphWrites(graph: IdentityGraph, before?: IdentityGraph): GraphWrites {
  const changed = <V>(entries: Iterable<[string, V]>, old?: { get(key: string): V | undefined }) =>
    old ? [...entries].filter(([key, value]) => old.get(key) !== value) : [...entries];
  return {
    customers: changed(graph.customers.entries(), before?.customers).map(([id, r]) => [
      id,
      JSON.stringify(r),
    ]),
    identities: changed(graph.identities.entries(), before?.identities).map(([key, r]) => [
      key,
      JSON.stringify(r),
    ]),
    pairs: [
      ...changed(graph.keptApart.entries(), before?.keptApart).map(([pair]): [string, string] => [
        `kept:${pair}`,
        '1',
      ]),
      ...changed(graph.suggestedPairs.entries(), before?.suggestedPairs).map(
        ([pair]): [string, string] => [`suggested:${pair}`, '1'],
      ),
    ],
    eventCount: graph.eventCount,
  };
}

/**
 * The surviving customer an id stands for, by walking its redirects (one read per step);
 * undefined when the graph does not know the id.
 */
export async function survivorIn(
  redis: RedisConnection,
  keys: RedisGraphKeys,
  customerId: string,
): Promise<string | undefined> {
  let current = customerId;
  const path: string[] = [];
  for (let steps = 0; steps < 1000; steps++) {
    const raw = await redis.hget(keys.customers, current);
    if (raw === null) return steps === 0 ? undefined : current;
    const next = (JSON.parse(raw) as CustomerRecord).mergedInto;
    if (next === undefined) return current;
    path.push(current);
    const cycle = path.indexOf(next);
    // A cycle, which the deciders never write: its least id, as the domain's `resolveCustomer`.
    if (cycle >= 0) return path.slice(cycle).reduce((a, b) => (b < a ? b : a));
    current = next;
  }
  return current;
}

/** The surviving customer an identity belongs to now; undefined when the graph does not know it. */
export async function survivorOfIdentityIn(
  redis: RedisConnection,
  keys: RedisGraphKeys,
  key: string,
): Promise<string | undefined> {
  const raw = await redis.hget(keys.identities, key);
  if (raw === null) return undefined;
  return survivorIn(redis, keys, (JSON.parse(raw) as IdentityRecord).homeCustomerId);
}

export async function loadGraph(
  records: GraphRecords,
  customerIds: readonly string[],
  identityKeys: readonly string[],
  options: { down: boolean; ownIdentities: boolean; eventCount?: boolean },
): Promise<IdentityGraph> {
  const identities = new Map<string, IdentityRecord>();
  const customers = new Map<string, CustomerRecord>();
  const wanted = new Set(customerIds);
  const loadIdentities = async (list: readonly string[]) => {
    const missing = [...new Set(list)].filter((key) => !identities.has(key));
    if (missing.length === 0) return;
    const found = await records.identities(missing);
    missing.forEach((key, i) => {
      const record = found[i];
      if (record === undefined) return;
      identities.set(key, record);
      wanted.add(record.homeCustomerId);
    });
  };
  await loadIdentities(identityKeys);
  const fetched = new Set<string>();
  for (;;) {
    const missing = [...wanted].filter((id) => !fetched.has(id));
    if (missing.length === 0) break;
    const found = await records.customers(missing);
    missing.forEach((id, i) => {
      fetched.add(id);
      const record = found[i];
      if (record === undefined) return;
      customers.set(id, record);
      if (record.mergedInto !== undefined) wanted.add(record.mergedInto);
      if (options.down) for (const merged of record.mergedCustomers) wanted.add(merged);
    });
  }
  if (options.ownIdentities) {
    await loadIdentities([...customers.values()].flatMap((c) => c.ownIdentities));
  }
  // Only a fold numbers records by it; a query never reads it.
  const eventCount = options.down && !options.eventCount ? 0 : await records.eventCount();
  return {
    identities: PersistentMap.from(identities),
    customers: PersistentMap.from(customers),
    keptApart: PersistentMap.empty<true>(),
    suggestedPairs: PersistentMap.empty<true>(),
    eventCount,
  };
}
