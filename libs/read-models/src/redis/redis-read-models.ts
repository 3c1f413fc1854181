import Redis from 'ioredis';
import { type ReadModels } from '../open-read-models';
import { LeasedTimelineProjection } from './leased-timeline-projection';
import { RedisTimelineReadModel } from './redis-timeline-read-model';

export const DEFAULT_REDIS_PREFIX = 'rapport:';

/** `redis://host:6379/0?prefix=rapport:v2:` → the connection URL and the key prefix. */
export function parseRedisReadModelsUrl(url: string): { redisUrl: string; prefix: string } {
  const parsed = new URL(url);
  const prefix = parsed.searchParams.get('prefix') ?? DEFAULT_REDIS_PREFIX;
  parsed.search = '';
  return { redisUrl: parsed.toString(), prefix };
}

/** Read models in Redis; the projection runs under a lease so replicas can stand by. */
export function redisReadModels(url: string): ReadModels {
  const { redisUrl, prefix } = parseRedisReadModelsUrl(url);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
  const projections: LeasedTimelineProjection[] = [];
  return {
    timeline: new RedisTimelineReadModel(redis, { prefix }),
    async startTimelineProjection(store, log) {
      const projection = new LeasedTimelineProjection(store, redis, { prefix, log });
      projections.push(projection);
      await projection.start();
      return projection;
    },
    async close() {
      await Promise.all(projections.map((p) => p.stop()));
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
