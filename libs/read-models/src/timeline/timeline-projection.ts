import {
  customerErasedFrom,
  suppressionLiftedFrom,
  DEFAULT_IDENTITY_POLICY,
  identityKey,
  type PseudonymousIdentity,
  type IdentityPolicy,
  fileTimelineEntry,
  identityGraphEventFrom,
  toTimelineEntry,
  type IdentityGraphEvent,
  type TimelineEntry,
} from '@rapport/domain';
import { type RecordedEvent } from '@rapport/event-store';
import { type CheckpointRange } from '../projection/checkpoint';
import { inSegments } from '../projection/in-segments';
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
    applyBatch: (events: readonly RecordedEvent[], range: CheckpointRange) =>
      inSegments(
        events,
        range,
        // Applied alone: a touchpoint stored after an erasure (its suppression lifted) is not
        // erased with it, and the model deletes before its checkpoint moves past the erasure.
        (event) => {
          const erased = customerErasedFrom(event);
          if (erased) return { erasures: [erased] };
          const lifted = suppressionLiftedFrom(event);
          return lifted ? { unerased: lifted.customerIds ?? [] } : null;
        },
        (segment, segmentRange) => {
          const entries: TimelineEntry[] = [];
          const identityEvents: IdentityGraphEvent[] = [];
          const plainIdentities = new Map<string, string>();
          for (const event of segment) {
            const entry = toTimelineEntry(event);
            if (!entry) {
              const identityEvent = identityGraphEventFrom(event);
              if (identityEvent) identityEvents.push(identityEvent);
              continue;
            }
            const further = (event.data as { identities?: PseudonymousIdentity[] }).identities;
            for (const identity of [entry.identity as PseudonymousIdentity, ...(further ?? [])])
              if (typeof identity.plainValue === 'string')
                plainIdentities.set(identityKey(identity), identity.plainValue);
            entries.push(fileTimelineEntry(entry, further, identityPolicy));
          }
          return model.apply(entries, segmentRange, identityEvents, { plainIdentities });
        },
        (personal, aloneRange) => model.apply([], aloneRange, [], personal),
      ),
  };
}
