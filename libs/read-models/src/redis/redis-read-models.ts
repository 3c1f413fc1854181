import Redis from 'ioredis';
import { type ClosenessReadModel } from '../closeness/closeness-read-model';
import { type ReadModels, type ReadModelsOptions } from '../open-read-models';
import { type TimelineReadModel } from '../timeline/timeline-read-model';
import { redisProjectionCatalog } from '../versions/redis-projection-catalog';
import { IdentityGraphLog } from '../identity/identity-graph-log';
import { IdentityResolution } from '../identity/identity-resolution';
import { LeasedProjectionGroup } from './leased-projection-group';

export const DEFAULT_REDIS_PREFIX = 'rapport:';

/** `redis://host:6379/0?prefix=rapport:v2:` → the connection URL and the key prefix. */
export function parseRedisReadModelsUrl(url: string): { redisUrl: string; prefix: string } {
  const parsed = new URL(url);
  const prefix = parsed.searchParams.get('prefix') ?? DEFAULT_REDIS_PREFIX;
  parsed.search = '';
  return { redisUrl: parsed.toString(), prefix };
}

/**
 * Read models in Redis, in versions (blue/green, `versions/`): queries and the projections
 * follow each projection's live version; each projection runs under a lease so replicas
 * can stand by.
 */
export function redisReadModels(url: string, options: ReadModelsOptions = {}): ReadModels {
  const { redisUrl, prefix } = parseRedisReadModelsUrl(url);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
  const projections = new LeasedProjectionGroup(redis, prefix);
  const catalog = redisProjectionCatalog(redis, prefix, options);
  return {
    timeline: catalog.timeline.reader<TimelineReadModel>(),
    async startTimelineProjection(store, log) {
      // Its own lease (`<prefix>lease:timeline`): written by one projector at a time, fenced.
      const projection = await projections.start(store, log, {
        name: 'timeline',
        target: (fence) => catalog.timeline.liveTarget(fence),
      });
      // Identity resolution under its own lease (`<prefix>lease:identity-resolution`): one
      // decider at a time; its appends are fenced by the identity-graph stream's revision.
      const resolution = await projections.start(
        store,
        log,
        {
          name: 'identity-resolution',
          target: () => new IdentityResolution(new IdentityGraphLog(store), options.identityPolicy),
        },
        { verifyIntervalMs: 0 },
      );
      return {
        status: () => projection.status(),
        waitFor: (position, timeoutMs) => projection.waitFor(position, timeoutMs),
        stop: () => projection.stop(),
        companions: [resolution],
      };
    },
    closeness: catalog.closeness.reader<ClosenessReadModel>(),
    startClosenessProjection(store, log) {
      // Its own lease (`<prefix>lease:closeness`): written by one projector at a time, fenced.
      return projections.start(store, log, {
        name: 'closeness',
        target: (fence) => catalog.closeness.liveTarget(fence),
      });
    },
    rebuildable: [catalog.timeline, catalog.closeness],
    async close() {
      await projections.stopAll();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
