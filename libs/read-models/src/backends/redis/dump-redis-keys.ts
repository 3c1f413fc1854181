import type Redis from 'ioredis';
import { mastersOf, type RedisConnection } from './redis-connection';
import { scanKeysStartingWith } from './unlink-keys';

/**
 * Every key under `prefix` (the prefix stripped from its name), sorted by name, with its
 * content in a form two dumps can be compared by: a sorted set as `[[member, score], …]`
 * in set order, a hash as `[field, value]` pairs sorted by field, a set as its sorted
 * members, a string as its value.
 * Other types throw: a read model has none, so one is a bug to report, not to skip.
 * Meant for tests and checks (e.g. live model = clean rebuild), not for large data sets.
 * On a Redis Cluster, every master's keys (each read from the master holding it).
 */
export async function dumpRedisKeys(
  redis: RedisConnection,
  prefix: string,
): Promise<Record<string, unknown>> {
  const parts = await Promise.all((await mastersOf(redis)).map((node) => dumpOfNode(node, prefix)));
  const dump: Record<string, unknown> = {};
  for (const part of parts) Object.assign(dump, part);
  return Object.fromEntries(Object.entries(dump).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function dumpOfNode(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
  const names = new Set<string>(); // SCAN may return a key more than once
  for await (const keys of scanKeysStartingWith(redis, prefix))
    for (const key of keys) names.add(key);
  const scanned = [...names].sort();

  const scannedTypes = await inOneRoundTrip(redis, scanned, (pipeline, key) => pipeline.type(key));
  // 'none': deleted since the scan (only a dump taken while something writes sees it).
  const keys = scanned.filter((_, i) => scannedTypes[i] !== 'none');
  const types = scannedTypes.filter((type) => type !== 'none');
  const contents = await inOneRoundTrip(redis, keys, (pipeline, key, i) => {
    switch (types[i]) {
      case 'zset':
        return pipeline.zrange(key, 0, -1, 'WITHSCORES');
      case 'hash':
        return pipeline.hgetall(key);
      case 'set':
        return pipeline.smembers(key);
      case 'string':
        return pipeline.get(key);
      default:
        throw new Error(`dumpRedisKeys: ${key} is a ${types[i]}, which it cannot normalise`);
    }
  });

  const dump: Record<string, unknown> = {};
  keys.forEach((key, i) => {
    dump[key.slice(prefix.length)] = normalise(types[i] as string, contents[i]);
  });
  return dump;
}

type Pipeline = ReturnType<Redis['pipeline']>;

async function inOneRoundTrip(
  redis: Redis,
  keys: readonly string[],
  add: (pipeline: Pipeline, key: string, index: number) => unknown,
): Promise<unknown[]> {
  if (keys.length === 0) return [];
  const pipeline = redis.pipeline();
  keys.forEach((key, i) => add(pipeline, key, i));
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

function normalise(type: string, content: unknown): unknown {
  switch (type) {
    case 'zset': {
      const flat = content as string[];
      const pairs: [string, number][] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], Number(flat[i + 1])]);
      return pairs;
    }
    case 'hash':
      return Object.entries(content as Record<string, string>).sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      );
    case 'set':
      return [...(content as string[])].sort();
    default:
      return content;
  }
}
