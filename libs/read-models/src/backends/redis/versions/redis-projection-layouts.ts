import { type ClosenessConfig, type IdentityPolicy } from '@rapport/domain';
import { type RedisConnection } from '../redis-connection';
import { closenessProjection } from '../../../closeness/closeness-projection';
import { ideaBacklogProjection } from '../../../ideas/idea-backlog-projection';
import { type ProjectionTarget } from '../../../projection/projection-runner';
import { timelineProjection } from '../../../timeline/timeline-projection';
import { RedisClosenessReadModel } from '../closeness/redis-closeness-read-model';
import { RedisIdeaBacklogReadModel } from '../ideas/redis-idea-backlog-read-model';
import { closenessKeys, ideaKeys, timelineKeys } from '../redis-keys';
import { type RedisFence } from '../redis-lease';
import { RedisTimelineReadModel } from '../timeline/redis-timeline-read-model';

/** What a rebuild needs to know of a Redis read model: how to open it at a prefix, feed and clear it. */
export interface RedisProjectionLayout<M extends { clear(): Promise<void> }> {
  readonly name: string;
  /** The model whose keys live under `prefix`; its writes fenced by `fence` when given. */
  modelAt(prefix: string, fence?: RedisFence): M;
  target(model: M): ProjectionTarget;
  /** The key the model under `prefix` keeps its checkpoint in (the switch compares them). */
  checkpointKey(prefix: string): string;
}

/** The timeline, with the identity graph folded in it. */
export function timelineLayout(
  redis: RedisConnection,
  identityPolicy?: IdentityPolicy,
): RedisProjectionLayout<RedisTimelineReadModel> {
  return {
    name: 'timeline',
    modelAt: (prefix, fence) => new RedisTimelineReadModel(redis, { prefix, fence }),
    target: (model) => timelineProjection(model, identityPolicy),
    checkpointKey: (prefix) => timelineKeys(prefix).checkpoint,
  };
}

/** Closeness, under keys of its configuration. */
export function closenessLayout(
  redis: RedisConnection,
  config: ClosenessConfig,
  identityPolicy?: IdentityPolicy,
): RedisProjectionLayout<RedisClosenessReadModel> {
  return {
    name: 'closeness',
    modelAt: (prefix, fence) => new RedisClosenessReadModel(redis, config, { prefix, fence }),
    target: (model) => closenessProjection(model, identityPolicy),
    checkpointKey: (prefix) => closenessKeys(prefix, config).checkpoint,
  };
}

/** The idea backlog. */
export function ideasLayout(
  redis: RedisConnection,
): RedisProjectionLayout<RedisIdeaBacklogReadModel> {
  return {
    name: 'ideas',
    modelAt: (prefix, fence) => new RedisIdeaBacklogReadModel(redis, { prefix, fence }),
    target: (model) => ideaBacklogProjection(model),
    checkpointKey: (prefix) => ideaKeys(prefix).checkpoint,
  };
}
