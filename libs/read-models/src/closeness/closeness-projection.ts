import {
  type ClosenessFact,
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
 * score follows its links, merges and unmerges.
 */
export function closenessProjection(
  model: ClosenessReadModel,
  /** Which identities a touchpoint is not filed under (as the timeline files it). */
  identityPolicy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
): ProjectionTarget {
  return {
    name: 'closeness',
    checkpoint: () => model.checkpoint(),
    applyBatch: async (events: readonly RecordedEvent[], range: CheckpointRange) => {
      const facts: ClosenessFact[] = [];
      const identityEvents: IdentityGraphEvent[] = [];
      for (const event of events) {
        const fact = toClosenessFact(event, identityPolicy);
        if (fact) {
          facts.push(fact);
          continue;
        }
        const identityEvent = identityGraphEventFrom(event);
        if (identityEvent) identityEvents.push(identityEvent);
      }
      await model.apply(facts, range, identityEvents);
    },
  };
}
