import { type BacklogEntry, type IdeaStatus, type IdeaView } from '@rapport/domain';
import { type CheckpointRange } from '../projection/checkpoint';
import { type OrderedBacklogSource } from './backlog-ranking-order';

export {
  BACKLOG_ORDERS,
  type BacklogOrder,
  type OrderedBacklog,
  type OrderedBacklogSource,
} from './backlog-ranking-order';
export { rankedBacklogPage, type RankedPageOptions } from './ranked-backlog-page';
import { type ErasedPeople, isAnonymousSupporter } from './erased-supporters';

/** What a batch changes about people beyond the ideas' documents. */
export interface IdeaBacklogPersonalData {
  /**
   * People forgotten in this batch (customer id → person key, see `erased-supporters.ts`):
   * their per-customer indexes are deleted and their ids remembered only as hashes, so that
   * later events naming them are anonymised too. The batch's views are already anonymised.
   */
  readonly erasedPeople?: ErasedPeople;
}

/**
 * The idea backlog read model port: one document per idea, indexed by status and by the
 * customers who submitted or supported it. Adapters: memory and Redis; both pass
 * `idea-backlog-read-model.contract.ts`. Ranking is computed at query time, so customer
 * merges and closeness apply as they are now; `ordered` gives the ideas in the orders the
 * model maintains, from which `rankedBacklogPage` ranks a page reading only its ideas.
 */
export interface IdeaBacklogReadModel extends OrderedBacklogSource {
  /** The log position of the last event applied; 0 for an empty model. */
  checkpoint(): Promise<number>;
  /**
   * Replaces the documents of the ideas the log range (`after`, `upTo`] touched and moves
   * the checkpoint to `upTo`, atomically; throws `CheckpointMismatchError` (writing
   * nothing) when the model is not at `after`.
   */
  apply(
    views: readonly IdeaView[],
    range: CheckpointRange,
    personal?: IdeaBacklogPersonalData,
  ): Promise<void>;
  /** The ideas asked for that exist. */
  getMany(ideaIds: readonly string[]): Promise<Map<string, IdeaView>>;
  /** Ideas not merged into another, in the given statuses (all when none are given), as ranking entries. */
  list(statuses?: readonly IdeaStatus[]): Promise<BacklogEntry[]>;
  /**
   * Ideas a customer id submitted or supports (as cast; merged ideas are left out). The
   * index follows each document as it is now — a withdrawn vote leaves it — so it is the
   * same whatever the batches the log came in.
   */
  ideasOfCustomer(customerId: string): Promise<IdeaView[]>;
  /**
   * Every idea whose document names one of these customer ids — as submitter, supporter or
   * comment author — merged ones included: what an erasure rewrites.
   */
  ideaIdsNaming(customerIds: readonly string[]): Promise<string[]>;
  /** Of these customer ids, the ones forgotten, with their person key. */
  erasedAmong(customerIds: readonly string[]): Promise<Map<string, string>>;
  clear(): Promise<void>;
}

/** Every customer id an idea's document mentions as submitter or supporter (no anonymous token). */
export function customersOfView(view: IdeaView): string[] {
  return [...new Set([view.submittedBy, ...view.votes.map((v) => v.customerId)])].filter(
    (id) => !isAnonymousSupporter(id),
  );
}

/** Every customer id that wrote a comment on the idea (no anonymous token). */
export function commentersOfView(view: IdeaView): string[] {
  const ids = new Set<string>();
  for (const { author } of view.comments)
    if (author.kind === 'customer' && !isAnonymousSupporter(author.customerId))
      ids.add(author.customerId);
  return [...ids];
}
