import { parseRedisReadModelsUrl } from '@rapport/read-models';
import Redis from 'ioredis';

/**
 * The checkpoints of the read models in Redis: every projection keeps its position under
 * `<prefix>checkpoint:<name>` (timeline, closeness, ideas, …), atomically with its writes.
 */
export async function redisCheckpoints(url: string): Promise<Map<string, number>> {
  const { redisUrl, prefix } = parseRedisReadModelsUrl(url);
  const redis = new Redis(redisUrl, {
    maxRetriesPerRequest: 2,
    lazyConnect: true,
    connectTimeout: 5000,
  });
  try {
    await redis.connect();
    const found = new Map<string, number>();
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}checkpoint:*`;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length === 0) continue;
      const values = await redis.mget(...keys);
      keys.forEach((key, i) => {
        const name = key.slice(prefix.length + 'checkpoint:'.length);
        // Only a projection's own checkpoint (a plain name), not e.g. a rebuild's keys below the prefix.
        if (/^[a-z0-9_-]+$/i.test(name)) found.set(name, Number(values[i] ?? 0));
      });
    } while (cursor !== '0');
    return found;
  } finally {
    redis.disconnect();
  }
}
