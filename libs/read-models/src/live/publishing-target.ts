import { type RecordedEvent } from '@rapport/event-store';
import { type CheckpointRange } from '../projection/checkpoint';
import { type ProjectionTarget } from '../projection/projection-runner';
import { liveChangeOf, type LiveChanges } from './live-changes';

/**
 * A projection target that says, once a batch is applied, which customers it changed: open
 * pages then fetch the new entries from the model that now holds them. A failed publish is
 * logged and dropped (pages catch up on their next change); it never fails the batch.
 */
export function publishingChanges(
  target: ProjectionTarget,
  live: () => LiveChanges,
  log: (line: string) => void = () => undefined,
): ProjectionTarget {
  return {
    ...target,
    name: target.name,
    checkpoint: () => target.checkpoint(),
    applyBatch: async (events: readonly RecordedEvent[], range: CheckpointRange) => {
      await target.applyBatch(events, range);
      const change = liveChangeOf(events, range.upTo);
      if (change)
        live()
          .publish(change)
          .catch((error: unknown) =>
            log(`live changes of ${target.name}: not published (${String(error)})`),
          );
    },
  };
}
