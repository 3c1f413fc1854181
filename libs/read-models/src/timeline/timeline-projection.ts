import { toTimelineEntry, type TimelineEntry } from '@rapport/domain';
import { type RecordedEvent } from '@rapport/event-store';
import { type CheckpointRange } from '../projection/checkpoint';
import { type ProjectionTarget } from '../projection/projection-runner';
import { type TimelineReadModel } from './timeline-read-model';

/** The timeline projection: every touchpoint and survey answer onto its customer's timeline. */
export function timelineProjection(model: TimelineReadModel): ProjectionTarget {
  return {
    name: 'timeline',
    checkpoint: () => model.checkpoint(),
    applyBatch: async (events: readonly RecordedEvent[], range: CheckpointRange) => {
      const entries = events.map(toTimelineEntry).filter((e): e is TimelineEntry => e !== null);
      await model.apply(entries, range);
    },
  };
}
