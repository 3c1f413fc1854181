import { type Idea, type IdeaHistoryEntry, type IdeaState, evolveIdea } from './idea';
import {
  type IdeaComment,
  type IdeaEvent,
  type IdeaOrigin,
  type IdeaStatus,
  type IdeaVote,
  type RiceScore,
} from './idea-events';

/**
 * A comment as read models keep it: `text` is null (and `erased` true) once its customer
 * author was forgotten — the author is then an anonymous supporter token, never the id.
 */
export interface IdeaCommentView extends Omit<IdeaComment, 'text'> {
  readonly text: string | null;
  readonly erased?: true;
}

/**
 * An idea as read models keep it: plain JSON (votes sorted by customer id). Once its
 * submitter was forgotten (`customer.erased`), `title` is null, `description` gone,
 * `erased` true and `submittedBy` an anonymous token; votes and comments of forgotten
 * customers carry anonymous tokens (`anonymous-…`) instead of their customer ids.
 */
export interface IdeaView {
  readonly ideaId: string;
  /** Null when the submitter was erased. */
  readonly title: string | null;
  readonly description?: string;
  /** Set when the idea's texts were erased with its submitter. */
  readonly erased?: true;
  readonly status: IdeaStatus;
  readonly declineReason?: string;
  readonly submittedBy: string;
  readonly origin: IdeaOrigin;
  readonly submittedAt: string;
  /** `at` of the last event applied. */
  readonly updatedAt: string;
  readonly votes: readonly IdeaVote[];
  readonly comments: readonly IdeaCommentView[];
  readonly history: readonly IdeaHistoryEntry[];
  readonly mergedInto?: string;
  readonly mergedFrom: readonly string[];
  readonly rice?: RiceScore;
  /** Log position of the last event applied. */
  readonly position: number;
}

/**
 * The aggregate a view stands for, to evolve it. An erased view's null texts are carried
 * through as they are (`evolveIdea` only copies them), hence the casts.
 */
export function ideaFromView(view: IdeaView): Idea {
  const { ideaId, votes, updatedAt: _u, position: _p, title, comments, ...rest } = view;
  return {
    ...rest,
    title: title as string,
    comments: comments as readonly IdeaComment[],
    id: ideaId,
    votes: new Map(votes.map((v) => [v.customerId, v])),
    touchpoints: new Set(),
  };
}

export function viewOfIdea(idea: Idea, updatedAt: string, position: number): IdeaView {
  const { id, votes, touchpoints: _t, ...rest } = idea;
  return {
    ideaId: id,
    ...rest,
    updatedAt,
    position,
    votes: [...votes.values()].sort((a, b) => (a.customerId < b.customerId ? -1 : 1)),
  };
}

/** Applies one logged idea event to a view (null: the idea is not known yet). */
export function evolveIdeaView(
  view: IdeaView | null,
  event: IdeaEvent,
  position: number,
): IdeaView | null {
  const state: IdeaState = view ? ideaFromView(view) : null;
  const next = evolveIdea(state, event);
  if (next === null) return view;
  return viewOfIdea(next, (event.data as { at: string }).at, position);
}
