import { MemoryTimelineReadModel } from './timeline/memory-timeline-read-model';
import { type TimelineReadModel } from './timeline/timeline-read-model';

export interface ReadModels {
  readonly timeline: TimelineReadModel;
  close(): Promise<void>;
}

/**
 * Opens the read models a URL names: `memory` (the embedded default, rebuilt from the
 * log at every start). Redis (`redis://…`) plugs in here.
 */
export function openReadModels(url: string): ReadModels {
  if (url === 'memory' || url === 'memory:') {
    return { timeline: new MemoryTimelineReadModel(), close: async () => undefined };
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    throw new Error(
      `RAPPORT_READ_MODELS=${url}: the Redis adapter is not available yet; use memory`,
    );
  }
  throw new Error(`RAPPORT_READ_MODELS=${url}: unknown read-model store; use memory`);
}
