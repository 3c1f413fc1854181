import {
  type ClosenessFact,
  customerErasedFrom,
  DEFAULT_IDENTITY_POLICY,
  type IdentityGraphEvent,
  type IdentityPolicy,
  identityGraphEventFrom,
  toClosenessFact,
} from '@rapport/domain';
import { type RecordedEvent } from '@rapport/event-store';
import { type CheckpointRange } from '../projection/checkpoint';
import { inSegments } from '../projection/in-segments';
import { readsNoPersonalData } from '../projection/personal-data-of';
import { type ProjectionTarget } from '../projection/projection-runner';
import { type ClosenessReadModel } from './closeness-read-model';

/**
 * The closeness projection: touchpoints, survey answers and idea events as facts, filed
 * like the timeline's entries (under the touchpoint's filing identity; idea events under
 * their customer), and the identity events that say whose they are — so a customer's
 * score follows its links, merges and unmerges. A `customer.erased` is applied alone,
 * between the events before and after it: the model drops the person before its
 * checkpoint moves past the erasure, so a crash in between erases again on the replay.
 */
export function closenessProjection(
  model: ClosenessReadModel,
  /** Which identities a touchpoint is not filed under (as the timeline files it). */
  identityPolicy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
): ProjectionTarget {
  return {
    name: 'closeness',
    // Channels, times, scores and pseudonymous identities (blocked ones flagged at ingestion).
    personalDataOf: readsNoPersonalData,
    maxInFlight: model.maxInFlight,
    checkpoint: () => model.checkpoint(),
    applyBatch: (events: readonly RecordedEvent[], range: CheckpointRange) =>
      inSegments(
        events,
        range,
        customerErasedFrom,
        (segment, segmentRange) => {
          const facts: ClosenessFact[] = [];
          const identityEvents: IdentityGraphEvent[] = [];
          for (const event of segment) {
            const fact = toClosenessFact(event, identityPolicy);
            if (fact) facts.push(fact);
            else {
              const identityEvent = identityGraphEventFrom(event);
              if (identityEvent) identityEvents.push(identityEvent);
            }
          }
          return model.apply(facts, segmentRange, identityEvents);
        },
        (erased, erasureRange) => model.erase([erased], erasureRange),
      ),
  };
}
