import { type CustomerRedirects } from './customer-redirects';
import {
  type IdeaComment,
  type IdeaEvent,
  IdeaEventTypes,
  type IdeaOrigin,
  type IdeaStatus,
  type IdeaVote,
  type RiceScore,
} from './idea-events';

export interface IdeaHistoryEntry {
  readonly status: IdeaStatus;
  readonly at: string;
  readonly staffId?: string;
  readonly reason?: string;
}

/** One idea as its stream tells it. */
export interface Idea {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly submittedBy: string;
  readonly origin: IdeaOrigin;
  readonly submittedAt: string;
  readonly status: IdeaStatus;
  readonly declineReason?: string;
  /** Votes by the customer id they were cast as. */
  readonly votes: ReadonlyMap<string, IdeaVote>;
  readonly comments: readonly IdeaComment[];
  readonly history: readonly IdeaHistoryEntry[];
  /** Set once the idea was merged into another: every command goes there instead. */
  readonly mergedInto?: string;
  /** Ideas merged into this one. */
  readonly mergedFrom: readonly string[];
  /** The staff's RICE estimate, when set. */
  readonly rice?: RiceScore;
  /** Touchpoints (log event ids) that submitted or voted here: a redelivery is recognised. */
  readonly touchpoints: ReadonlySet<string>;
}

/** Before `idea.submitted`, an idea does not exist. */
export type IdeaState = Idea | null;

export const INITIAL_IDEA_STATE: IdeaState = null;

/** Applies one event. Pure: the given state is not changed. */
export function evolveIdea(state: IdeaState, event: IdeaEvent): IdeaState {
  if (event.type === IdeaEventTypes.submitted) {
    const d = event.data;
    return {
      id: d.ideaId,
      title: d.title,
      ...(d.description === undefined ? {} : { description: d.description }),
      submittedBy: d.customerId,
      origin: d.origin,
      submittedAt: d.at,
      status: 'new',
      votes: new Map(),
      comments: [],
      history: [{ status: 'new', at: d.at }],
      mergedFrom: [],
      touchpoints: withTouchpoint(new Set(), d.origin),
    };
  }
  if (state === null) return state;
  switch (event.type) {
    case IdeaEventTypes.voted: {
      const { ideaId: _ignored, ...vote } = event.data;
      const votes = new Map(state.votes);
      votes.set(vote.customerId, vote);
      return { ...state, votes, touchpoints: withTouchpoint(state.touchpoints, vote.origin) };
    }
    case IdeaEventTypes.voteWithdrawn: {
      const votes = new Map(state.votes);
      votes.delete(event.data.customerId);
      return { ...state, votes, touchpoints: withTouchpoint(state.touchpoints, event.data.origin) };
    }
    case IdeaEventTypes.commented: {
      const { ideaId: _ignored, ...comment } = event.data;
      return { ...state, comments: [...state.comments, comment] };
    }
    case IdeaEventTypes.statusChanged: {
      const d = event.data;
      return {
        ...state,
        status: d.to,
        ...(d.to === 'declined' ? { declineReason: d.reason } : {}),
        history: [
          ...state.history,
          {
            status: d.to,
            at: d.at,
            staffId: d.staffId,
            ...(d.reason === undefined ? {} : { reason: d.reason }),
          },
        ],
      };
    }
    case IdeaEventTypes.riceScored: {
      const { reach, impact, confidence, effort } = event.data;
      return { ...state, rice: { reach, impact, confidence, effort } };
    }
    case IdeaEventTypes.merged: {
      const d = event.data;
      if (d.mergedIdeaId === state.id) return { ...state, mergedInto: d.survivorIdeaId };
      if (d.survivorIdeaId !== state.id || state.mergedFrom.includes(d.mergedIdeaId)) return state;
      const votes = new Map(state.votes);
      let touchpoints = state.touchpoints;
      for (const vote of d.votes) {
        if (!votes.has(vote.customerId)) votes.set(vote.customerId, vote);
        // The duplicate's touchpoints are this idea's now: a redelivered one is still recognised.
        touchpoints = withTouchpoint(touchpoints, vote.origin);
      }
      const moved = d.comments.map((c) => ({ ...c, movedFrom: c.movedFrom ?? d.mergedIdeaId }));
      const comments = [...state.comments, ...moved].sort(byTime);
      return {
        ...state,
        votes,
        comments,
        touchpoints,
        mergedFrom: [...state.mergedFrom, d.mergedIdeaId],
      };
    }
  }
}

export function foldIdea(
  events: Iterable<IdeaEvent>,
  state: IdeaState = INITIAL_IDEA_STATE,
): IdeaState {
  let current = state;
  for (const event of events) current = evolveIdea(current, event);
  return current;
}

/** The surviving customers that support the idea: every vote counted once per person. */
export function supportersOf(idea: Idea, redirects: CustomerRedirects): string[] {
  const supporters = new Set<string>();
  for (const customerId of idea.votes.keys()) supporters.add(redirects(customerId));
  return [...supporters].sort();
}

export function voteCountOf(idea: Idea, redirects: CustomerRedirects): number {
  return supportersOf(idea, redirects).length;
}

/** The votes cast as customer ids that lead to `customerId` today. */
export function votesOfCustomer(
  idea: Idea,
  customerId: string,
  redirects: CustomerRedirects,
): IdeaVote[] {
  const person = redirects(customerId);
  return [...idea.votes.values()].filter((v) => redirects(v.customerId) === person);
}

function withTouchpoint(set: ReadonlySet<string>, origin: IdeaOrigin): ReadonlySet<string> {
  if (origin.kind !== 'touchpoint' || set.has(origin.touchpointEventId)) return set;
  return new Set(set).add(origin.touchpointEventId);
}

function byTime(a: IdeaComment, b: IdeaComment): number {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : 0;
}
