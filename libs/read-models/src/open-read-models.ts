import { type EventStore } from '@rapport/event-store';
import { ProjectionRunner } from './projection/projection-runner';
import { type RunningProjection } from './projection/running-projection';
import { MemoryTimelineReadModel } from './timeline/memory-timeline-read-model';
import { timelineProjection } from './timeline/timeline-projection';
import { type TimelineReadModel } from './timeline/timeline-read-model';
import { redisReadModels } from './redis/redis-read-models';

/** The read models of one backend, and how that backend runs their projections. */
export interface ReadModels {
  readonly timeline: TimelineReadModel;
  /** Starts the timeline projection; resolves once it has caught up with the log. */
  startTimelineProjection(
    store: EventStore,
    log: (line: string) => void,
  ): Promise<RunningProjection>;
  close(): Promise<void>;
}

/**
 * Opens the read models a URL names: `memory` (the embedded default, rebuilt from the
 * log at every start) or `redis://host:6379/0?prefix=rapport:` (kept in Redis, written
 * by one projector at a time under a lease).
 */
export function openReadModels(url: string): ReadModels {
  if (url === 'memory' || url === 'memory:') return memoryReadModels();
  if (url.startsWith('redis://') || url.startsWith('rediss://')) return redisReadModels(url);
  throw new Error(
    `RAPPORT_READ_MODELS=${url}: unknown read-model store; use memory or redis://host:6379`,
  );
}

function memoryReadModels(): ReadModels {
  const timeline = new MemoryTimelineReadModel();
  return {
    timeline,
    async startTimelineProjection(store, log) {
      const runner = new ProjectionRunner(store, timelineProjection(timeline), { log });
      await runner.start();
      return runner;
    },
    close: async () => undefined,
  };
}
