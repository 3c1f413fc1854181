import { type BacklogEntry, type IdeaStatus, type IdeaView } from '@rapport/domain';
import { type CheckpointRange } from '../projection/checkpoint';

/**
 * The idea backlog read model port: one document per idea, indexed by status and by the
 * customers who submitted or supported it. Adapters: memory and Redis; both pass
 * `idea-backlog-read-model.contract.ts`. Ranking (`listBacklog`) is computed at query
 * time from the documents, so customer merges and closeness apply as they are now.
 */
export interface IdeaBacklogReadModel {
  /** The log position of the last event applied; 0 for an empty model. */
  checkpoint(): Promise<number>;
  /**
   * Replaces the documents of the ideas the log range (`after`, `upTo`] touched and moves
   * the checkpoint to `upTo`, atomically; throws `CheckpointMismatchError` (writing
   * nothing) when the model is not at `after`.
   */
  apply(views: readonly IdeaView[], range: CheckpointRange): Promise<void>;
  /** The ideas asked for that exist. */
  getMany(ideaIds: readonly string[]): Promise<Map<string, IdeaView>>;
  /** Ideas not merged into another, in the given statuses (all when none are given), as ranking entries. */
  list(statuses?: readonly IdeaStatus[]): Promise<BacklogEntry[]>;
  /** Ideas a customer id submitted or supported (as cast; merged ideas are left out). */
  ideasOfCustomer(customerId: string): Promise<IdeaView[]>;
  clear(): Promise<void>;
}

/** Every customer id an idea's document mentions as submitter or supporter. */
export function customersOfView(view: IdeaView): string[] {
  return [...new Set([view.submittedBy, ...view.votes.map((v) => v.customerId)])];
}
