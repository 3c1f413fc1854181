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
      let entries: TimelineEntry[] = [];
      let identityEvents: IdentityGraphEvent[] = [];
      let plainIdentities = new Map<string, string>();
      let after = range.after;
      let previous = range.after;
      for (const event of events) {
        const before = previous;
        previous = event.position;
        const entry = toTimelineEntry(event);
        if (entry) {
          const further = (event.data as { identities?: PseudonymousIdentity[] }).identities;
          for (const identity of [entry.identity as PseudonymousIdentity, ...(further ?? [])])
            if (typeof identity.plainValue === 'string')
              plainIdentities.set(identityKey(identity), identity.plainValue);
          entries.push(fileTimelineEntry(entry, further, identityPolicy));
          continue;
        }
        const identityEvent = identityGraphEventFrom(event);
        if (identityEvent) identityEvents.push(identityEvent);
        const lifted = suppressionLiftedFrom(event);
        if (lifted) {
          if (before !== after)
            await model.apply(entries, { after, upTo: before }, identityEvents, {
              plainIdentities,
            });
          await model.apply([], { after: before, upTo: event.position }, [], {
            unerased: lifted.customerIds ?? [],
          });
          [entries, identityEvents, plainIdentities, after] = [[], [], new Map(), event.position];
        }
        const erased = customerErasedFrom(event);
        if (erased) {
          // Applied alone, between what came before it and what comes after: a model
          // deletes the person before it moves its checkpoint past the erasure, and a
          // touchpoint stored after it (the suppression lifted) is not erased with it.
          if (before !== after)
            await model.apply(entries, { after, upTo: before }, identityEvents, {
              plainIdentities,
            });
          await model.apply([], { after: before, upTo: event.position }, [], {
            erasures: [erased],
          });
          [entries, identityEvents, plainIdentities, after] = [[], [], new Map(), event.position];
        }
      }
      await model.apply(entries, { after, upTo: range.upTo }, identityEvents, { plainIdentities });
    },
  };
}
