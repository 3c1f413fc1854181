import { type ClosenessFact, toClosenessFact } from '@rapport/domain';
import { type RecordedEvent } from '@rapport/event-store';
import { type CheckpointRange } from '../projection/checkpoint';
import { type ProjectionTarget } from '../projection/projection-runner';
import { type ClosenessReadModel } from './closeness-read-model';

/**
 * The closeness projection: touchpoints, survey answers and idea events, by
 * `metadata.customerId` (ideas: the customer in their data). Merges (`customer.merged`)
 * are not followed yet: each customer id keeps its own score.
 */
export function closenessProjection(model: ClosenessReadModel): ProjectionTarget {
  return {
    name: 'closeness',
    checkpoint: () => model.checkpoint(),
    applyBatch: async (events: readonly RecordedEvent[], range: CheckpointRange) => {
      const facts = events.map(toClosenessFact).filter((f): f is ClosenessFact => f !== null);
      await model.apply(facts, range);
    },
  };
}
