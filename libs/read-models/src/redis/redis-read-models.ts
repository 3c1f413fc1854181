import Redis from 'ioredis';
import { DEFAULT_CLOSENESS_CONFIG } from '@rapport/domain';
import { closenessProjection } from '../closeness/closeness-projection';
import { type ReadModels, type ReadModelsOptions } from '../open-read-models';
import { IdentityGraphLog } from '../identity/identity-graph-log';
import { IdentityResolution } from '../identity/identity-resolution';
import { LeasedProjectionGroup } from './leased-projection-group';
import { LeasedTimelineProjection } from './leased-timeline-projection';
import { RedisClosenessReadModel } from './redis-closeness-read-model';
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
export function redisReadModels(url: string, options: ReadModelsOptions = {}): ReadModels {
  const { redisUrl, prefix } = parseRedisReadModelsUrl(url);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
  const projections = new LeasedProjectionGroup(redis, prefix);
  const closenessConfig = options.closeness ?? DEFAULT_CLOSENESS_CONFIG;
  return {
    timeline: new RedisTimelineReadModel(redis, { prefix }),
    async startTimelineProjection(store, log) {
      const projection = await projections.add(
        new LeasedTimelineProjection(store, redis, { prefix, log }, options.identityPolicy),
      );
      // Identity resolution under its own lease (`<prefix>lease:identity-resolution`): one
      // decider at a time; its appends are fenced by the identity-graph stream's revision.
      await projections.start(
        store,
        log,
        {
          name: 'identity-resolution',
          target: () => new IdentityResolution(new IdentityGraphLog(store), options.identityPolicy),
        },
        { verifyIntervalMs: 0 },
      );
      return projection;
    },
    closeness: new RedisClosenessReadModel(redis, closenessConfig, { prefix }),
    startClosenessProjection(store, log) {
      // Its own lease (`<prefix>lease:closeness`): written by one projector at a time, fenced.
      return projections.start(store, log, {
        name: 'closeness',
        target: (fence) =>
          closenessProjection(
            new RedisClosenessReadModel(redis, closenessConfig, { prefix, fence }),
          ),
      });
    },
    async close() {
      await projections.stopAll();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
