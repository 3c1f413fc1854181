import {
  type BacklogPage,
  type BacklogQuery,
  customerErasedFrom,
  type CustomerErasedV1,
  evolveIdeaView,
  ideaEventFrom,
  type IdeaView,
  rankBacklog,
  type RankingContext,
} from '@rapport/domain';
import { type RecordedEvent } from '@rapport/event-store';
import { type CheckpointRange } from '../projection/checkpoint';
import { inSegments } from '../projection/in-segments';
import { type ProjectionTarget } from '../projection/projection-runner';
import {
  customersNamedBy,
  type ErasedPeople,
  personKeyOf,
  sanitizedView,
} from './erased-supporters';
import { type IdeaBacklogReadModel } from './idea-backlog-read-model';

/**
 * The idea backlog projection: every `idea.*` event onto its idea's document, and every
 * `customer.erased` applied alone, between the events before and after it (the model drops
 * the person before its checkpoint moves past the erasure: a crash erases again on replay).
 * Customer ids of forgotten people become anonymous tokens, and texts that read as erased
 * from the log (keys destroyed) are kept as erased (`erased-supporters.ts`).
 */
export function ideaBacklogProjection(model: IdeaBacklogReadModel): ProjectionTarget {
  return {
    name: 'ideas',
    // Idea texts; erasures name customers only, and touchpoints are not read.
    personalDataOf: (event) => ideaEventFrom(event) !== null,
    handles: (event) => ideaEventFrom(event) !== null,
    checkpoint: () => model.checkpoint(),
    applyBatch: (events: readonly RecordedEvent[], range: CheckpointRange) =>
      inSegments(
        events,
        range,
        customerErasedFrom,
        (segment, segmentRange) => applyIdeaEvents(model, segment, segmentRange),
        (erased, erasureRange) => eraseFromBacklog(model, erased, erasureRange),
      ),
  };
}

async function applyIdeaEvents(
  model: IdeaBacklogReadModel,
  events: readonly RecordedEvent[],
  range: CheckpointRange,
): Promise<void> {
  const ideaEvents = events
    .map((recorded) => ({ recorded, event: ideaEventFrom(recorded) }))
    .filter((e) => e.event !== null);
  const ids = [...new Set(ideaEvents.map((e) => e.event!.data.ideaId))];
  const [stored, erased] = await Promise.all([
    ids.length ? model.getMany(ids) : new Map<string, IdeaView>(),
    // Only the ids these events bring in: the views hold no id forgotten before.
    ideaEvents.length
      ? model.erasedAmong([...new Set(ideaEvents.flatMap((e) => customersNamedBy(e.event!)))])
      : new Map<string, string>(),
  ]);
  const views = new Map<string, IdeaView | null>(stored);
  for (const { recorded, event } of ideaEvents) {
    const id = event!.data.ideaId;
    const current = views.get(id) ?? null;
    // A view already past this event (it cannot be, batches continue the checkpoint; kept as a guard).
    if (current && current.position >= recorded.position) continue;
    views.set(id, evolveIdeaView(current, event!, recorded.position));
  }
  const changed = [...views.values()]
    .filter((v): v is IdeaView => v !== null && v.position > range.after)
    .map((v) => sanitizedView(v, erased));
  await model.apply(changed, range);
}

/** Drops a forgotten person from every idea that names them (`range` holds the erasure alone). */
async function eraseFromBacklog(
  model: IdeaBacklogReadModel,
  erasure: CustomerErasedV1,
  range: CheckpointRange,
): Promise<void> {
  const person = personKeyOf(erasure.customerId);
  const people: ErasedPeople = new Map(erasure.erasedCustomerIds.map((id) => [id, person]));
  const ideaIds = await model.ideaIdsNaming(erasure.erasedCustomerIds);
  const views = ideaIds.length ? await model.getMany(ideaIds) : new Map<string, IdeaView>();
  const changed = [...views.values()].map((view) => sanitizedView(view, people));
  await model.apply(changed, range, { erasedPeople: people });
}

/** The backlog page a query asks for: candidates from the model, ranked as of `context.now`. */
export async function listBacklog(
  model: IdeaBacklogReadModel,
  query: BacklogQuery,
  context: RankingContext,
): Promise<BacklogPage> {
  return rankBacklog(await model.list(query.statuses), query, context);
}
