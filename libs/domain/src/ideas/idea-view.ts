import { type Idea, type IdeaHistoryEntry, type IdeaState, evolveIdea } from './idea';
import {
  type IdeaComment,
  type IdeaEvent,
  type IdeaOrigin,
  type IdeaStatus,
  type IdeaVote,
  type RiceScore,
} from './idea-events';

/** An idea as read models keep it: plain JSON (votes sorted by customer id). */
export interface IdeaView {
  readonly ideaId: string;
  readonly title: string;
  readonly description?: string;
  readonly status: IdeaStatus;
  readonly declineReason?: string;
  readonly submittedBy: string;
  readonly origin: IdeaOrigin;
  readonly submittedAt: string;
  /** `at` of the last event applied. */
  readonly updatedAt: string;
  readonly votes: readonly IdeaVote[];
  readonly comments: readonly IdeaComment[];
  readonly history: readonly IdeaHistoryEntry[];
  readonly mergedInto?: string;
  readonly mergedFrom: readonly string[];
  readonly rice?: RiceScore;
  /** Log position of the last event applied. */
  readonly position: number;
}

export function ideaFromView(view: IdeaView): Idea {
  const { ideaId, votes, updatedAt: _u, position: _p, ...rest } = view;
  return {
    ...rest,
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
