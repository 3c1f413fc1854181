import { type BacklogEntry, backlogEntryOf, type IdeaStatus, type IdeaView } from '@rapport/domain';
import { CheckpointMismatchError, type CheckpointRange } from '../../projection/checkpoint';
import { customersOfView, type IdeaBacklogReadModel } from '../../ideas/idea-backlog-read-model';

/** The backlog in process memory (the embedded default, rebuilt from the log at start). */
export class MemoryIdeaBacklogReadModel implements IdeaBacklogReadModel {
  private readonly ideas = new Map<string, IdeaView>();
  private readonly entries = new Map<string, BacklogEntry>();
  private readonly byCustomer = new Map<string, Set<string>>();
  private position = 0;

  async checkpoint(): Promise<number> {
    return this.position;
  }

  async apply(views: readonly IdeaView[], range: CheckpointRange): Promise<void> {
    if (range.after !== this.position)
      throw new CheckpointMismatchError('ideas', range.after, this.position);
    for (const view of views) {
      this.ideas.set(view.ideaId, view);
      this.entries.set(view.ideaId, backlogEntryOf(view));
      for (const customerId of customersOfView(view)) {
        let set = this.byCustomer.get(customerId);
        if (!set) this.byCustomer.set(customerId, (set = new Set()));
        set.add(view.ideaId);
      }
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

  async ideasOfCustomer(customerId: string): Promise<IdeaView[]> {
    const ids = [...(this.byCustomer.get(customerId) ?? [])];
    return [...(await this.getMany(ids)).values()].filter((v) => v.mergedInto === undefined);
  }

  async clear(): Promise<void> {
    this.ideas.clear();
    this.entries.clear();
    this.byCustomer.clear();
    this.position = 0;
  }
}
