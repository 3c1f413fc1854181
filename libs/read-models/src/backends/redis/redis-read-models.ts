import { type ClosenessReadModel } from '../../closeness/closeness-read-model';
import { type IdeaBacklog } from '../../ideas/idea-backlog';
import { type IdeaBacklogReadModel } from '../../ideas/idea-backlog-read-model';
import { lazy } from '../../lazy';
import { type ReadModels, type ReadModelsOptions } from '../../open-read-models';
import { type TimelineReadModel } from '../../timeline/timeline-read-model';
import { storedCheckpoints } from '../../versions/rebuildable-projection';
import { customerAnnotationsProjection } from '../../annotations/customer-annotations-projection';
import { publishingChanges } from '../../live/publishing-target';
import { redisAccessStores } from './access/redis-access-stores';
import { RedisCustomerAnnotations } from './annotations/redis-customer-annotations';
import { redisLiveChanges, redisPresenceStore } from './live/redis-live';
import { LeasedProjectionGroup } from './leased-projection-group';
import { connectRedis, parseRedisReadModelsUrl } from './redis-connection';
import {
  type RedisProjectionCatalog,
  redisProjectionCatalog,
} from './versions/redis-projection-catalog';

/**
 * Read models in Redis, in versions (blue/green, `versions/`): queries and the projections
 * follow each projection's live version; each projection runs under a lease so replicas
 * can stand by. One connection, made when a model is first used, serves them all, the
 * idea backlog included: to one Redis, or to a Redis Cluster (`redis-cluster://`, ADR 0037).
 */
export function redisReadModels(url: string, settings: () => ReadModelsOptions): ReadModels {
  const location = lazy(() => parseRedisReadModelsUrl(url));
  const connection = lazy(() => connectRedis(location()));
  const catalog = lazy(() => {
    const options = settings();
    const { prefix } = location();
    return redisProjectionCatalog(connection(), prefix, options);
  });
  // Every projection and log follower this process runs, each under its own lease.
  const leased = lazy(() => new LeasedProjectionGroup(connection(), location().prefix));
  const models = lazy(() => {
    const { timeline, closeness } = catalog();
    return {
      timeline: timeline.reader<TimelineReadModel>(),
      closeness: closeness.reader<ClosenessReadModel>(),
    };
  });
  const ideas = lazy(() => redisIdeaBacklog(catalog().ideas, leased()));
  const access = lazy(() => redisAccessStores(connection, location().prefix));
  const live = lazy(() => redisLiveChanges(connection, location().prefix));
  const presence = lazy(() => redisPresenceStore(connection, location().prefix));
  const annotations = lazy(() => new RedisCustomerAnnotations(connection(), location().prefix));
  return {
    inProcess: false,
    get access() {
      return access();
    },
    get timeline() {
      return models().timeline;
    },
    async startTimelineProjection(store, log) {
      // Its own lease (`<prefix>lease:timeline`): written by one projector at a time, fenced.
      return leased().start(store, log, {
        name: 'timeline',
        target: (fence) => publishingChanges(catalog().timeline.liveTarget(fence), live, log),
      });
    },
    startLeasedProcess(store, log, process) {
      // Its own lease (`<prefix>lease:<name>`). It writes to the log, not to Redis, so
      // there is no Redis write to fence: its appends are fenced by the log itself.
      return leased().start(
        store,
        log,
        { name: process.name, target: () => process.target() },
        { verifyIntervalMs: 0, batchSize: process.batchSize },
      );
    },
    get closeness() {
      return models().closeness;
    },
    startClosenessProjection(store, log) {
      // Its own lease (`<prefix>lease:closeness`): written by one projector at a time, fenced.
      return leased().start(store, log, {
        name: 'closeness',
        target: (fence) => catalog().closeness.liveTarget(fence),
      });
    },
    get ideas() {
      return ideas();
    },
    get projections() {
      return catalog().all;
    },
    annotations: {
      get model() {
        return annotations();
      },
      startProjection(store, log) {
        // Its own lease (`<prefix>lease:annotations`): written by one projector at a time, fenced.
        return leased().start(store, log, {
          name: 'annotations',
          target: (fence) =>
            publishingChanges(
              customerAnnotationsProjection(annotations().fencedBy(fence)),
              live,
              log,
            ),
        });
      },
    },
    get live() {
      return live();
    },
    get presence() {
      return presence();
    },
    async checkpoints() {
      const options = settings();
      const { prefix } = location();
      // A connection of its own that gives up sooner: for a process that reports and exits.
      const probe = connectRedis(location(), 'probe');
      try {
        await probe.connect();
        return await storedCheckpoints(redisProjectionCatalog(probe, prefix, options).all);
      } finally {
        probe.disconnect();
      }
    },
    close: lazy(async () => {
      await leased.peek()?.stopAll();
      await live.peek()?.close();
      const redis = connection.peek();
      if (redis) await redis.quit().catch(() => redis.disconnect());
    }),
  };
}

/** The backlog's model and leased projections, on the read models' connection. */
function redisIdeaBacklog(
  ideas: RedisProjectionCatalog['ideas'],
  leased: LeasedProjectionGroup,
): IdeaBacklog {
  return {
    // Queries and the projection follow the live version (blue/green, `versions/`).
    model: ideas.reader<IdeaBacklogReadModel>(),
    startProjection(store, log) {
      // Its own lease (`<prefix>lease:ideas`): one writer at a time, fenced.
      return leased.start(store, log, {
        name: 'ideas',
        target: (fence) => ideas.liveTarget(fence),
      });
    },
    startFollower(store, follower, log) {
      return leased.start(store, log, {
        name: follower.name,
        target: () => follower.target(),
      });
    },
  };
}
