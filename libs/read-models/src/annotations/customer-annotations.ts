import { type EventStore } from '@rapport/event-store';
import { type RunningProjection } from '../projection/running-projection';
import { type CustomerAnnotationsReadModel } from './customer-annotations-read-model';

/** The staff annotations of a backend: the model, and its projection (under a lease in Redis). */
export interface CustomerAnnotations {
  readonly model: CustomerAnnotationsReadModel;
  /** Starts the projection; resolves once caught up (a Redis standby: at once). */
  startProjection(store: EventStore, log: (line: string) => void): Promise<RunningProjection>;
}
