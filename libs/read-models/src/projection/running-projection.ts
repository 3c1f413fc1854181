import { type ProjectionStatus } from './projection-runner';

/** A projection that is following the log, as the services see it. */
export interface RunningProjection {
  status(): ProjectionStatus;
  /** Resolves when the model has applied the log up to `position` (read-your-writes). */
  waitFor(position: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
  /** Followers started and stopped with it (identity resolution beside the timeline), for health. */
  readonly companions?: readonly RunningProjection[];
}
