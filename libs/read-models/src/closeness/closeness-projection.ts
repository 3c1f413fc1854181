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
    withoutPersonalData: true,
    checkpoint: () => model.checkpoint(),
    applyBatch: async (events: readonly RecordedEvent[], range: CheckpointRange) => {
      let facts: ClosenessFact[] = [];
      let identityEvents: IdentityGraphEvent[] = [];
      let after = range.after;
      let previous = range.after;
      for (const event of events) {
        const before = previous;
        previous = event.position;
        const fact = toClosenessFact(event, identityPolicy);
        if (fact) {
          facts.push(fact);
          continue;
        }
        const identityEvent = identityGraphEventFrom(event);
        if (identityEvent) {
          identityEvents.push(identityEvent);
          continue;
        }
        const erased = customerErasedFrom(event);
        if (erased) {
          if (before !== after) await model.apply(facts, { after, upTo: before }, identityEvents);
          await model.erase([erased], { after: before, upTo: event.position });
          [facts, identityEvents, after] = [[], [], event.position];
        }
      }
      if (after !== range.upTo || after === range.after)
        await model.apply(facts, { after, upTo: range.upTo }, identityEvents);
    },
  };
}
