import { channel } from 'node:diagnostics_channel';
import { type RecordedEvent } from '@rapport/event-store';

/**
 * Where a projection reports each batch it applied (Node's `diagnostics_channel`: free when
 * nothing subscribes). The metrics of a service subscribe to it; the projection knows
 * nothing of them.
 */
export const PROJECTION_BATCH_CHANNEL = 'rapport:projection:batch';

/** One batch a projection applied: which projection, how many events, how long it took. */
export interface ProjectionBatchReport {
  readonly projection: string;
  readonly events: number;
  readonly seconds: number;
  /** The events themselves (for tracing: each keeps its trace context in `metadata.trace`). */
  readonly batch?: readonly RecordedEvent[];
  /** Which of them the projection acts on (`ProjectionTarget.handles`); absent: all. */
  readonly handles?: (event: RecordedEvent) => boolean;
  /** When the batch began to be applied (epoch milliseconds). */
  readonly startedAtMs?: number;
}

export const projectionBatches = channel(PROJECTION_BATCH_CHANNEL);
