import {
  type BacklogPage,
  type BacklogQuery,
  evolveIdeaView,
  ideaEventFrom,
  type IdeaView,
  rankBacklog,
  type RankingContext,
} from '@rapport/domain';
import { type RecordedEvent } from '@rapport/event-store';
import { type CheckpointRange } from '../projection/checkpoint';
import { type ProjectionTarget } from '../projection/projection-runner';
import { type IdeaBacklogReadModel } from './idea-backlog-read-model';

/** The idea backlog projection: every `idea.*` event onto its idea's document. */
export function ideaBacklogProjection(model: IdeaBacklogReadModel): ProjectionTarget {
  return {
    name: 'ideas',
    checkpoint: () => model.checkpoint(),
    applyBatch: async (events: readonly RecordedEvent[], range: CheckpointRange) => {
      const ideaEvents = events
        .map((recorded) => ({ recorded, event: ideaEventFrom(recorded) }))
        .filter((e) => e.event !== null);
      const ids = [...new Set(ideaEvents.map((e) => e.event!.data.ideaId))];
      const views = new Map<string, IdeaView | null>(
        ids.length ? await model.getMany(ids) : new Map(),
      );
      for (const { recorded, event } of ideaEvents) {
        const id = event!.data.ideaId;
        const current = views.get(id) ?? null;
        // A view already past this event (it cannot be, batches continue the checkpoint; kept as a guard).
        if (current && current.position >= recorded.position) continue;
        views.set(id, evolveIdeaView(current, event!, recorded.position));
      }
      const changed = [...views.values()].filter(
        (v): v is IdeaView => v !== null && v.position > range.after,
      );
      await model.apply(changed, range);
    },
  };
}

/** The backlog page a query asks for: candidates from the model, ranked as of `context.now`. */
export async function listBacklog(
  model: IdeaBacklogReadModel,
  query: BacklogQuery,
  context: RankingContext,
): Promise<BacklogPage> {
  return rankBacklog(await model.list(query.statuses), query, context);
}
