import { type EventStore } from '@rapport/event-store';
import Redis from 'ioredis';
import { ProjectionRunner, type ProjectionTarget } from '../projection/projection-runner';
import { type RunningProjection } from '../projection/running-projection';
import { LeasedProjectionGroup } from '../redis/leased-projection-group';
import { RedisIdeaBacklogReadModel } from '../redis/redis-idea-backlog-read-model';
import { parseRedisReadModelsUrl } from '../redis/redis-read-models';
import { ideaBacklogProjection } from './idea-backlog-projection';
import { type IdeaBacklogReadModel } from './idea-backlog-read-model';
import { MemoryIdeaBacklogReadModel } from './memory-idea-backlog-read-model';

/** The idea backlog read model of one backend, and how that backend runs its projection. */
export interface IdeaBacklog {
  readonly model: IdeaBacklogReadModel;
  /** Starts the backlog projection (memory: resolves once caught up; Redis: under a lease). */
  startProjection(store: EventStore, log: (line: string) => void): Promise<RunningProjection>;
  /**
   * Runs another log follower of the idea loop (intake, notifier) on this backend: in
   * memory directly; with Redis under a lease of its own (`<prefix>lease:<name>`), so one
   * replica at a time runs it.
   */
  startFollower(
    store: EventStore,
    follower: { readonly name: string; target(): ProjectionTarget },
    log: (line: string) => void,
  ): Promise<RunningProjection>;
  close(): Promise<void>;
}

/** The backlog on the backend `RAPPORT_READ_MODELS` names: `memory` or `redis://…?prefix=`. */
export function openIdeaBacklog(url: string): IdeaBacklog {
  if (url === 'memory' || url === 'memory:') {
    const model = new MemoryIdeaBacklogReadModel();
    return {
      model,
      async startProjection(store, log) {
        const runner = new ProjectionRunner(store, ideaBacklogProjection(model), { log });
        await runner.start();
        return runner;
      },
      async startFollower(store, follower, log) {
        const runner = new ProjectionRunner(store, follower.target(), { log });
        await runner.start();
        return runner;
      },
      close: async () => undefined,
    };
  }
  if (!url.startsWith('redis://') && !url.startsWith('rediss://')) {
    throw new Error(
      `RAPPORT_READ_MODELS=${url}: unknown read-model store; use memory or redis://host:6379`,
    );
  }
  const { redisUrl, prefix } = parseRedisReadModelsUrl(url);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
  const projections = new LeasedProjectionGroup(redis, prefix);
  return {
    model: new RedisIdeaBacklogReadModel(redis, { prefix }),
    startProjection(store, log) {
      // Its own lease (`<prefix>lease:ideas`): one writer at a time, fenced.
      return projections.start(store, log, {
        name: 'ideas',
        target: (fence) =>
          ideaBacklogProjection(new RedisIdeaBacklogReadModel(redis, { prefix, fence })),
      });
    },
    startFollower(store, follower, log) {
      return projections.start(store, log, {
        name: follower.name,
        target: () => follower.target(),
      });
    },
    async close() {
      await projections.stopAll();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
