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
import { MemoryProjectionSlot } from './versions/memory-projection-slot';
import { type RebuildableProjection } from './versions/rebuildable-projection';

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
  /** The timeline and closeness, rebuildable blue/green (`rapport rebuild`, the admin API). */
  readonly rebuildable: readonly RebuildableProjection[];
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
  const closenessConfig = options.closeness ?? DEFAULT_CLOSENESS_CONFIG;
  // Each model in a slot: a rebuild builds a new one beside it and swaps it in.
  const timeline = new MemoryProjectionSlot(
    'timeline',
    new MemoryTimelineReadModel(),
    () => new MemoryTimelineReadModel(),
    (model) => timelineProjection(model, options.identityPolicy),
  );
  const closeness = new MemoryProjectionSlot(
    'closeness',
    new MemoryClosenessReadModel(closenessConfig),
    () => new MemoryClosenessReadModel(closenessConfig),
    (model) => closenessProjection(model, options.identityPolicy),
  );
  return {
    timeline: timeline.reader<TimelineReadModel>(),
    async startTimelineProjection(store, log) {
      const runner = new ProjectionRunner(store, timeline.liveTarget(), { log });
      await runner.start();
      // Identity resolution decides links and merges from touchpoints, into the log.
      const resolution = await startIdentityResolution(store, log, options.identityPolicy);
      return withCompanions(runner, [resolution], () => store.headPosition());
    },
    closeness: closeness.reader<ClosenessReadModel>(),
    async startClosenessProjection(store, log) {
      const runner = new ProjectionRunner(store, closeness.liveTarget(), { log });
      await runner.start();
      return runner;
    },
    rebuildable: [timeline, closeness],
    close: async () => undefined,
  };
}
