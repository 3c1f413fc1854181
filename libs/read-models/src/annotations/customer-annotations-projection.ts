import {
  annotationEventFrom,
  CUSTOMER_LABELLED_V1,
  CUSTOMER_NOTE_ADDED_V1,
  customerErasedFrom,
} from '@rapport/domain';
import { type RecordedEvent } from '@rapport/event-store';
import { type CheckpointRange } from '../projection/checkpoint';
import { type ProjectionTarget } from '../projection/projection-runner';
import {
  type AnnotationChange,
  type CustomerAnnotationsReadModel,
} from './customer-annotations-read-model';

/** The annotation changes a batch of the log makes, in log order. */
export function annotationChangesOf(events: readonly RecordedEvent[]): AnnotationChange[] {
  const changes: AnnotationChange[] = [];
  for (const event of events) {
    const erased = customerErasedFrom(event);
    if (erased) {
      for (const customerId of erased.erasedCustomerIds)
        changes.push({ kind: 'erase', customerId });
      continue;
    }
    const annotation = annotationEventFrom(event);
    if (!annotation) continue;
    if (annotation.type === CUSTOMER_NOTE_ADDED_V1) {
      const { noteId, customerId, text, staffId, staffName, at } = annotation.data;
      // An erased text (its person forgotten since): the erasure that follows drops the rest.
      if (typeof text !== 'string') continue;
      changes.push({
        kind: 'note',
        note: {
          noteId,
          customerId,
          text,
          staffId,
          ...(staffName ? { staffName } : {}),
          at,
          position: event.position,
        },
      });
    } else {
      const { customerId, label } = annotation.data;
      changes.push({
        kind: annotation.type === CUSTOMER_LABELLED_V1 ? 'label' : 'unlabel',
        customerId,
        label,
      });
    }
  }
  return changes;
}

/** Notes and labels from the log into their read model; erasures drop a person's. */
export function customerAnnotationsProjection(
  model: CustomerAnnotationsReadModel,
): ProjectionTarget {
  return {
    name: 'annotations',
    // Notes and labels only: the log opens no touchpoint for this projection.
    personalDataOf: (event) => annotationEventFrom(event) !== null,
    handles: (event) => annotationEventFrom(event) !== null,
    checkpoint: () => model.checkpoint(),
    applyBatch: (events: readonly RecordedEvent[], range: CheckpointRange) =>
      model.apply(annotationChangesOf(events), range),
  };
}
