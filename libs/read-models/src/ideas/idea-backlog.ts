import { type EventStore } from '@rapport/event-store';
import { type ProjectionTarget } from '../projection/projection-runner';
import { type RunningProjection } from '../projection/running-projection';
import { type IdeaBacklogReadModel } from './idea-backlog-read-model';

/**
 * The idea backlog read model of one backend, and how that backend runs its projection
 * (`ReadModels.ideas`: rebuilt through `ReadModels.projections`, stopped by `ReadModels.close`).
 */
export interface IdeaBacklog {
  readonly model: IdeaBacklogReadModel;
  /** Starts the backlog projection (memory: resolves once caught up; Redis: under a lease). */
  startProjection(store: EventStore, log: (line: string) => void): Promise<RunningProjection>;
  /**
   * Runs another log follower of the idea loop (intake, notifier) on this backend: in
   * memory directly; with Redis under a lease of its own (`<prefix>lease:<name>`), so one
   * replica at a time runs it.
   */
  startFollower(
    store: EventStore,
    follower: { readonly name: string; target(): ProjectionTarget },
    log: (line: string) => void,
  ): Promise<RunningProjection>;
}
