import { type BacklogEntry, backlogEntryOf, type IdeaStatus, type IdeaView } from '@rapport/domain';
import { CheckpointMismatchError, type CheckpointRange } from '../../projection/checkpoint';
import { erasedIdKey } from '../../ideas/erased-supporters';
import {
  type BacklogOrder,
  compareOrdered,
  type OrderedBacklog,
  orderValueOf,
  tieKeyOf,
} from '../../ideas/backlog-ranking-order';
import {
  commentersOfView,
  customersOfView,
  type IdeaBacklogPersonalData,
  type IdeaBacklogReadModel,
} from '../../ideas/idea-backlog-read-model';

/** The backlog in process memory (the embedded default, rebuilt from the log at start). */
export class MemoryIdeaBacklogReadModel implements IdeaBacklogReadModel {
  private readonly ideas = new Map<string, IdeaView>();
  private readonly entries = new Map<string, BacklogEntry>();
  private readonly byCustomer = new Map<string, Set<string>>();
  private readonly byCommenter = new Map<string, Set<string>>();
  /** `erasedIdKey(customer id)` → person key: forgotten people, without their ids. */
  private readonly erased = new Map<string, string>();
  private position = 0;

  async checkpoint(): Promise<number> {
    return this.position;
  }

  async apply(
    views: readonly IdeaView[],
    range: CheckpointRange,
    personal: IdeaBacklogPersonalData = {},
  ): Promise<void> {
    if (range.after !== this.position)
      throw new CheckpointMismatchError('ideas', range.after, this.position);
    for (const [customerId, person] of personal.erasedPeople ?? []) {
      this.byCustomer.delete(customerId);
      this.byCommenter.delete(customerId);
      this.erased.set(erasedIdKey(customerId), person);
    }
    for (const view of views) {
      const before = this.ideas.get(view.ideaId);
      this.ideas.set(view.ideaId, view);
      this.entries.set(view.ideaId, backlogEntryOf(view));
      // The indexes name whom the document names now (a withdrawn vote leaves them).
      reindex(
        this.byCustomer,
        view.ideaId,
        before && customersOfView(before),
        customersOfView(view),
      );
      reindex(
        this.byCommenter,
        view.ideaId,
        before && commentersOfView(before),
        commentersOfView(view),
      );
    }
    this.position = range.upTo;
  }

  async getMany(ideaIds: readonly string[]): Promise<Map<string, IdeaView>> {
    const found = new Map<string, IdeaView>();
    for (const id of ideaIds) {
      const view = this.ideas.get(id);
      if (view) found.set(id, view);
    }
    return found;
  }

  async list(statuses?: readonly IdeaStatus[]): Promise<BacklogEntry[]> {
    return [...this.entries.values()].filter(
      (v) => v.mergedInto === undefined && (!statuses?.length || statuses.includes(v.status)),
    );
  }

  /** Sorted when asked: the memory model's ideas are at hand, the cost is Node's alone. */
  async ordered(
    statuses: readonly IdeaStatus[] | undefined,
    order: BacklogOrder,
  ): Promise<OrderedBacklog> {
    const ideas = (await this.list(statuses))
      .map((entry) => ({ entry, value: orderValueOf(entry, order), tieKey: tieKeyOf(entry) }))
      .sort(compareOrdered);
    let read = 0;
    return {
      total: ideas.length,
      next: async (count) => ideas.slice(read, (read += count)),
    };
  }

  async ideasOfCustomer(customerId: string): Promise<IdeaView[]> {
    const ids = [...(this.byCustomer.get(customerId) ?? [])];
    return [...(await this.getMany(ids)).values()].filter((v) => v.mergedInto === undefined);
  }

  async ideaIdsNaming(customerIds: readonly string[]): Promise<string[]> {
    const ids = new Set<string>();
    for (const customerId of customerIds)
      for (const map of [this.byCustomer, this.byCommenter])
        for (const ideaId of map.get(customerId) ?? []) ids.add(ideaId);
    return [...ids].sort();
  }

  async erasedAmong(customerIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (this.erased.size === 0) return found;
    for (const customerId of customerIds) {
      const person = this.erased.get(erasedIdKey(customerId));
      if (person !== undefined) found.set(customerId, person);
    }
    return found;
  }

  async clear(): Promise<void> {
    this.ideas.clear();
    this.entries.clear();
    this.byCustomer.clear();
    this.byCommenter.clear();
    this.erased.clear();
    this.position = 0;
  }
}

/** Moves an idea in a per-customer index from the customers it named to those it names. */
function reindex(
  index: Map<string, Set<string>>,
  ideaId: string,
  before: readonly string[] | undefined,
  after: readonly string[],
): void {
  for (const customerId of before ?? []) {
    if (after.includes(customerId)) continue;
    const set = index.get(customerId);
    set?.delete(ideaId);
    if (set?.size === 0) index.delete(customerId);
  }
  for (const customerId of after) {
    let set = index.get(customerId);
    if (!set) index.set(customerId, (set = new Set()));
    set.add(ideaId);
  }
}
