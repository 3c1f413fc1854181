import { Cluster } from 'ioredis';
import { mastersOf, type RedisConnection } from './redis-connection';

/**
 * Deletes every key whose name starts with `start` (SCAN + UNLINK in batches of about
 * 1,000: Redis frees them in the background, and no single command blocks it for long).
 * On a Redis Cluster, every master is scanned, and each deletes its own keys.
 */
export async function unlinkKeysStartingWith(redis: RedisConnection, start: string): Promise<void> {
  const cluster = redis instanceof Cluster;
  for (const node of await mastersOf(redis))
    for await (const keys of scanKeysStartingWith(node, start)) {
      if (keys.length === 0) continue;
      if (!cluster) {
        await node.unlink(...keys);
        continue;
      }
      // A cluster node refuses one command on keys of several slots: one UNLINK a key.
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.unlink(key);
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    }
}

/** Every key whose name starts with `start`, on every master of a cluster (for checks and tests). */
export async function keysStartingWith(redis: RedisConnection, start: string): Promise<string[]> {
  const found = new Set<string>();
  for (const node of await mastersOf(redis))
    for await (const keys of scanKeysStartingWith(node, start))
      for (const key of keys) found.add(key);
  return [...found].sort();
}

/**
 * The names of the keys on one server that start with `start`, a SCAN batch at a time
 * (a key may come twice). `node` is a single server: one of `mastersOf`.
 */
export async function* scanKeysStartingWith(
  node: Awaited<ReturnType<typeof mastersOf>>[number],
  start: string,
): AsyncGenerator<string[]> {
  const match = `${start.replace(/[*?[\]\\{}]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    yield keys;
    cursor = next;
  } while (cursor !== '0');
}
