import { type EventStore } from '@rapport/event-store';
import Redis from 'ioredis';
import { ProjectionRunner, type ProjectionTarget } from '../projection/projection-runner';
import { type RunningProjection } from '../projection/running-projection';
import { LeasedProjectionGroup } from '../redis/leased-projection-group';
import { parseRedisReadModelsUrl } from '../redis/redis-read-models';
import { ideaBacklogProjection } from './idea-backlog-projection';
import { type IdeaBacklogReadModel } from './idea-backlog-read-model';
import { MemoryIdeaBacklogReadModel } from './memory-idea-backlog-read-model';
import { MemoryProjectionSlot } from '../versions/memory-projection-slot';
import { type RebuildableProjection } from '../versions/rebuildable-projection';
import { redisProjectionCatalog } from '../versions/redis-projection-catalog';

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
  /** The backlog, rebuildable blue/green (`rapport rebuild`, the admin API). */
  readonly rebuildable: RebuildableProjection;
  close(): Promise<void>;
}

/** The backlog on the backend `RAPPORT_READ_MODELS` names: `memory` or `redis://…?prefix=`. */
export function openIdeaBacklog(url: string): IdeaBacklog {
  if (url === 'memory' || url === 'memory:') {
    const slot = new MemoryProjectionSlot(
      'ideas',
      new MemoryIdeaBacklogReadModel(),
      () => new MemoryIdeaBacklogReadModel(),
      (model) => ideaBacklogProjection(model),
    );
    return {
      model: slot.reader<IdeaBacklogReadModel>(),
      async startProjection(store, log) {
        const runner = new ProjectionRunner(store, slot.liveTarget(), { log });
        await runner.start();
        return runner;
      },
      async startFollower(store, follower, log) {
        const runner = new ProjectionRunner(store, follower.target(), { log });
        await runner.start();
        return runner;
      },
      rebuildable: slot,
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
  const { ideas } = redisProjectionCatalog(redis, prefix);
  return {
    // Queries and the projection follow the live version (blue/green, `versions/`).
    model: ideas.reader<IdeaBacklogReadModel>(),
    startProjection(store, log) {
      // Its own lease (`<prefix>lease:ideas`): one writer at a time, fenced.
      return projections.start(store, log, {
        name: 'ideas',
        target: (fence) => ideas.liveTarget(fence),
      });
    },
    startFollower(store, follower, log) {
      return projections.start(store, log, {
        name: follower.name,
        target: () => follower.target(),
      });
    },
    rebuildable: ideas,
    async close() {
      await projections.stopAll();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
