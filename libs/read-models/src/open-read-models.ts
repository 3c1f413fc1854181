import {
  type ClosenessConfig,
  DEFAULT_CLOSENESS_CONFIG,
  type IdentityPolicy,
} from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import { closenessProjection } from './closeness/closeness-projection';
import { type ClosenessReadModel } from './closeness/closeness-read-model';
import { MemoryClosenessReadModel } from './closeness/memory-closeness-read-model';
import { ProjectionRunner } from './projection/projection-runner';
import { type RunningProjection } from './projection/running-projection';
import { MemoryTimelineReadModel } from './timeline/memory-timeline-read-model';
import { timelineProjection } from './timeline/timeline-projection';
import { type TimelineReadModel } from './timeline/timeline-read-model';
import { redisReadModels } from './redis/redis-read-models';
import { startIdentityResolution, withCompanions } from './identity/start-identity-resolution';

/** The read models of one backend, and how that backend runs their projections. */
export interface ReadModels {
  readonly timeline: TimelineReadModel;
  /** Starts the timeline projection; resolves once it has caught up with the log. */
  startTimelineProjection(
    store: EventStore,
    log: (line: string) => void,
  ): Promise<RunningProjection>;
  /** Closeness scores, keyed by `metadata.customerId` (merges are not followed yet). */
  readonly closeness: ClosenessReadModel;
  /** Starts the closeness projection; resolves once it has caught up with the log. */
  startClosenessProjection(
    store: EventStore,
    log: (line: string) => void,
  ): Promise<RunningProjection>;
  close(): Promise<void>;
}

/** Settings of the read models beyond their URL. */
export interface ReadModelsOptions {
  /** The closeness weights and half-life (`RAPPORT_CLOSENESS`); the defaults otherwise. */
  readonly closeness?: ClosenessConfig;
  /** The identity rules (`RAPPORT_IDENTITY_POLICY`); the defaults otherwise. */
  readonly identityPolicy?: IdentityPolicy;
}

/**
 * Opens the read models a URL names: `memory` (the embedded default, rebuilt from the
 * log at every start) or `redis://host:6379/0?prefix=rapport:` (kept in Redis, written
 * by one projector at a time under a lease).
 */
export function openReadModels(url: string, options: ReadModelsOptions = {}): ReadModels {
  if (url === 'memory' || url === 'memory:') return memoryReadModels(options);
  if (url.startsWith('redis://') || url.startsWith('rediss://'))
    return redisReadModels(url, options);
  throw new Error(
    `RAPPORT_READ_MODELS=${url}: unknown read-model store; use memory or redis://host:6379`,
  );
}

function memoryReadModels(options: ReadModelsOptions): ReadModels {
  const timeline = new MemoryTimelineReadModel();
  const closeness = new MemoryClosenessReadModel(options.closeness ?? DEFAULT_CLOSENESS_CONFIG);
  return {
    timeline,
    async startTimelineProjection(store, log) {
      const runner = new ProjectionRunner(
        store,
        timelineProjection(timeline, options.identityPolicy),
        { log },
      );
      await runner.start();
      // Identity resolution decides links and merges from touchpoints, into the log.
      const resolution = await startIdentityResolution(store, log, options.identityPolicy);
      return withCompanions(runner, [resolution], () => store.headPosition());
    },
    closeness,
    async startClosenessProjection(store, log) {
      const runner = new ProjectionRunner(store, closenessProjection(closeness), { log });
      await runner.start();
      return runner;
    },
    close: async () => undefined,
  };
}
