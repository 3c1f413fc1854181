import { DEFAULT_CLOSENESS_CONFIG } from '@rapport/domain';
import { closenessProjection } from '../../closeness/closeness-projection';
import { type ClosenessReadModel } from '../../closeness/closeness-read-model';
import { type IdeaBacklog } from '../../ideas/idea-backlog';
import { ideaBacklogProjection } from '../../ideas/idea-backlog-projection';
import { type IdeaBacklogReadModel } from '../../ideas/idea-backlog-read-model';
import { lazy } from '../../lazy';
import { type ReadModels, type ReadModelsOptions } from '../../open-read-models';
import { ProjectionRunner } from '../../projection/projection-runner';
import { timelineProjection } from '../../timeline/timeline-projection';
import { type TimelineReadModel } from '../../timeline/timeline-read-model';
import { storedCheckpoints } from '../../versions/rebuildable-projection';
import { customerAnnotationsProjection } from '../../annotations/customer-annotations-projection';
import { publishingChanges } from '../../live/publishing-target';
import { memoryAccessStores } from './memory-access-stores';
import { MemoryCustomerAnnotations } from './memory-customer-annotations';
import { memoryLiveChanges, memoryPresenceStore } from './memory-live';
import { MemoryClosenessReadModel } from './memory-closeness-read-model';
import { MemoryIdeaBacklogReadModel } from './memory-idea-backlog-read-model';
import { MemoryProjectionSlot } from './memory-projection-slot';
import { MemoryTimelineReadModel } from './memory-timeline-read-model';

/** Read models in this process's memory, rebuilt from the log at every start. */
export function memoryReadModels(settings: () => ReadModelsOptions): ReadModels {
  // Each model in a slot: a rebuild builds a new one beside it and swaps it in.
  const timeline = lazy(() => {
    const { identityPolicy } = settings();
    const slot = new MemoryProjectionSlot(
      'timeline',
      new MemoryTimelineReadModel(),
      () => new MemoryTimelineReadModel(),
      (model) => timelineProjection(model, identityPolicy),
    );
    return { slot, reader: slot.reader<TimelineReadModel>() };
  });
  const closeness = lazy(() => {
    const { identityPolicy, closeness: config = DEFAULT_CLOSENESS_CONFIG } = settings();
    const slot = new MemoryProjectionSlot(
      'closeness',
      new MemoryClosenessReadModel(config),
      () => new MemoryClosenessReadModel(config),
      (model) => closenessProjection(model, identityPolicy),
    );
    return { slot, reader: slot.reader<ClosenessReadModel>() };
  });
  const ideas = lazy(() => {
    const slot = new MemoryProjectionSlot(
      'ideas',
      new MemoryIdeaBacklogReadModel(),
      () => new MemoryIdeaBacklogReadModel(),
      (model) => ideaBacklogProjection(model),
    );
    return { slot, backlog: memoryIdeaBacklog(slot) };
  });
  const projections = lazy(() => [timeline().slot, closeness().slot, ideas().slot]);
  const access = lazy(memoryAccessStores);
  const live = lazy(memoryLiveChanges);
  const presence = lazy(memoryPresenceStore);
  const annotations = lazy(() => new MemoryCustomerAnnotations());
  return {
    inProcess: true,
    get access() {
      return access();
    },
    get timeline() {
      return timeline().reader;
    },
    async startTimelineProjection(store, log) {
      const target = publishingChanges(timeline().slot.liveTarget(), live, log);
      const runner = new ProjectionRunner(store, target, { log });
      await runner.start();
      return runner;
    },
    async startLeasedProcess(store, log, process) {
      const runner = new ProjectionRunner(store, process.target(), {
        log,
        batchSize: process.batchSize,
      });
      await runner.start();
      return runner;
    },
    get closeness() {
      return closeness().reader;
    },
    async startClosenessProjection(store, log) {
      const runner = new ProjectionRunner(store, closeness().slot.liveTarget(), { log });
      await runner.start();
      return runner;
    },
    get ideas() {
      return ideas().backlog;
    },
    get projections() {
      return projections();
    },
    annotations: {
      get model() {
        return annotations();
      },
      async startProjection(store, log) {
        const target = publishingChanges(customerAnnotationsProjection(annotations()), live, log);
        const runner = new ProjectionRunner(store, target, { log });
        await runner.start();
        return runner;
      },
    },
    get live() {
      return live();
    },
    get presence() {
      return presence();
    },
    checkpoints: () => storedCheckpoints(projections()),
    close: async () => live.peek()?.close(),
  };
}

function memoryIdeaBacklog(slot: MemoryProjectionSlot<MemoryIdeaBacklogReadModel>): IdeaBacklog {
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
  };
}
