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
  isNewerName,
  type SeenName,
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
          const names = new Map<string, SeenName>();
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
            const filed = fileTimelineEntry(entry, further, identityPolicy);
            entries.push(filed);
            const name = (event.data as { name?: unknown }).name;
            if (typeof name === 'string') {
              // The latest name per identity it was filed under (an erased one is an object).
              const seen = { name, occurredAt: filed.occurredAt, position: filed.position };
              const key = identityKey(filed.identity);
              if (isNewerName(seen, names.get(key))) names.set(key, seen);
            }
          }
          return model.apply(entries, segmentRange, identityEvents, { plainIdentities, names });
        },
        (personal, aloneRange) => model.apply([], aloneRange, [], personal),
      ),
  };
}
