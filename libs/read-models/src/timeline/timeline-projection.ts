import {
  type ChannelIdentity,
  DEFAULT_IDENTITY_POLICY,
  type IdentityPolicy,
  fileTimelineEntry,
  identityGraphEventFrom,
  toTimelineEntry,
  type IdentityGraphEvent,
  type TimelineEntry,
} from '@rapport/domain';
import { type RecordedEvent } from '@rapport/event-store';
import { type CheckpointRange } from '../projection/checkpoint';
import { type ProjectionTarget } from '../projection/projection-runner';
import { type TimelineReadModel } from './timeline-read-model';

/**
 * The timeline projection: every touchpoint and survey answer onto the timeline of its
 * identity, and every identity event into the identity graph that joins them.
 */
export function timelineProjection(
  model: TimelineReadModel,
  /** Which identities never link (and so never file an entry when another one is there). */
  identityPolicy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
): ProjectionTarget {
  return {
    name: 'timeline',
    maxInFlight: model.maxInFlight,
    checkpoint: () => model.checkpoint(),
    applyBatch: async (events: readonly RecordedEvent[], range: CheckpointRange) => {
      const entries: TimelineEntry[] = [];
      const identityEvents: IdentityGraphEvent[] = [];
      for (const event of events) {
        const entry = toTimelineEntry(event);
        if (entry) {
          const further = (event.data as { identities?: ChannelIdentity[] }).identities;
          entries.push(fileTimelineEntry(entry, further, identityPolicy));
          continue;
        }
        const identityEvent = identityGraphEventFrom(event);
        if (identityEvent) identityEvents.push(identityEvent);
      }
      await model.apply(entries, range, identityEvents);
    },
  };
}
