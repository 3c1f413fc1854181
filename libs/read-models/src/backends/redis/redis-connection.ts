import Redis, { type RedisOptions } from 'ioredis';
import { DEFAULT_REDIS_PREFIX } from './redis-keys';

/** `redis://host:6379/0?prefix=rapport:v2:` → the connection URL and the key prefix. */
export function parseRedisReadModelsUrl(url: string): { redisUrl: string; prefix: string } {
  const parsed = new URL(url);
  const prefix = parsed.searchParams.get('prefix') ?? DEFAULT_REDIS_PREFIX;
  parsed.search = '';
  return { redisUrl: parsed.toString(), prefix };
}

const CONNECTIONS = {
  /** The read models' queries and projections. */
  shared: { maxRetriesPerRequest: 3, enableAutoPipelining: true },
  /** One look from another process (`rapport stats`): connects on `connect()`, gives up sooner. */
  probe: { maxRetriesPerRequest: 2, lazyConnect: true, connectTimeout: 5000 },
} satisfies Record<string, RedisOptions>;

/** A connection to the Redis holding the read models: the one place one is made. */
export function connectRedis(redisUrl: string, use: keyof typeof CONNECTIONS = 'shared'): Redis {
  return new Redis(redisUrl, { ...CONNECTIONS[use] });
}
