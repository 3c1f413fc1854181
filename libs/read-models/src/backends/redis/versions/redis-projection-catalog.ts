import {
  type ClosenessConfig,
  DEFAULT_CLOSENESS_CONFIG,
  type IdentityPolicy,
} from '@rapport/domain';
import { type RedisConnection } from '../redis-connection';
import { type RedisClosenessReadModel } from '../closeness/redis-closeness-read-model';
import { type RedisIdeaBacklogReadModel } from '../ideas/redis-idea-backlog-read-model';
import { type RedisTimelineReadModel } from '../timeline/redis-timeline-read-model';
import { closenessLayout, ideasLayout, timelineLayout } from './redis-projection-layouts';
import { RedisProjectionVersions } from './redis-projection-versions';
import { RedisVersionedProjection } from './redis-versioned-projection';

export interface RedisProjectionCatalog {
  readonly versions: RedisProjectionVersions;
  readonly timeline: RedisVersionedProjection<RedisTimelineReadModel>;
  readonly closeness: RedisVersionedProjection<RedisClosenessReadModel>;
  readonly ideas: RedisVersionedProjection<RedisIdeaBacklogReadModel>;
  /** All of them, in `REBUILDABLE_PROJECTIONS` order. */
  readonly all: readonly RedisVersionedProjection<{
    clear(): Promise<void>;
    checkpoint(): Promise<number>;
  }>[];
}

/**
 * The read models under one Redis key prefix, in versions: timeline (with the identity
 * graph in it), closeness and the idea backlog. Identity resolution keeps no read model
 * (its decisions are in the log) and is never rebuilt.
 */
export function redisProjectionCatalog(
  redis: RedisConnection,
  prefix: string,
  options: { closeness?: ClosenessConfig; identityPolicy?: IdentityPolicy } = {},
): RedisProjectionCatalog {
  const versions = new RedisProjectionVersions(redis, prefix);
  const timeline = new RedisVersionedProjection(
    redis,
    versions,
    timelineLayout(redis, options.identityPolicy),
  );
  const closeness = new RedisVersionedProjection(
    redis,
    versions,
    closenessLayout(redis, options.closeness ?? DEFAULT_CLOSENESS_CONFIG, options.identityPolicy),
  );
  const ideas = new RedisVersionedProjection(redis, versions, ideasLayout(redis));
  return { versions, timeline, closeness, ideas, all: [timeline, closeness, ideas] };
}
