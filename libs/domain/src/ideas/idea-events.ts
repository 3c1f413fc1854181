import { type Channel } from '../channels';

/** The workflow an idea goes through; `declined` ends it with a reason. */
export const IDEA_STATUSES = [
  'new',
  'under_review',
  'planned',
  'in_progress',
  'shipped',
  'declined',
] as const;
export type IdeaStatus = (typeof IDEA_STATUSES)[number];

export function isIdeaStatus(value: unknown): value is IdeaStatus {
  return typeof value === 'string' && (IDEA_STATUSES as readonly string[]).includes(value);
}

/**
 * Where a submission or a vote came from: a touchpoint a customer sent on some channel
 * (by its log event id), or a staff member acting on a customer's behalf (heard elsewhere).
 */
export type IdeaOrigin =
  | {
      readonly kind: 'touchpoint';
      readonly touchpointEventId: string;
      readonly channel: Channel;
    }
  | { readonly kind: 'staff'; readonly staffId: string };

/** Who wrote a comment. */
export type CommentAuthor =
  | { readonly kind: 'customer'; readonly customerId: string }
  | { readonly kind: 'staff'; readonly staffId: string };

export interface IdeaVote {
  /** The customer as they were known when they voted (redirects are applied when counting). */
  readonly customerId: string;
  readonly origin: IdeaOrigin;
  readonly at: string;
}

export interface IdeaComment {
  readonly commentId: string;
  readonly author: CommentAuthor;
  readonly text: string;
  readonly at: string;
  /** The idea the comment was written on, when it moved here with a merge. */
  readonly movedFrom?: string;
}

/** `idea.submitted.v1`: a customer brought an idea (the submitter's own vote follows as `idea.voted`). */
export interface IdeaSubmittedV1 {
  readonly ideaId: string;
  readonly title: string;
  readonly description?: string;
  readonly customerId: string;
  readonly origin: IdeaOrigin;
  readonly at: string;
}

/** `idea.voted.v1`: one customer supports the idea. */
export interface IdeaVotedV1 extends IdeaVote {
  readonly ideaId: string;
}

/** `idea.vote-withdrawn.v1`: the customer no longer supports the idea. */
export interface IdeaVoteWithdrawnV1 {
  readonly ideaId: string;
  readonly customerId: string;
  readonly origin: IdeaOrigin;
  readonly at: string;
}

/** `idea.commented.v1`. */
export interface IdeaCommentedV1 extends IdeaComment {
  readonly ideaId: string;
}

/** `idea.status-changed.v1`: a staff member moved the idea along its workflow. */
export interface IdeaStatusChangedV1 {
  readonly ideaId: string;
  readonly from: IdeaStatus;
  readonly to: IdeaStatus;
  /** Required when `to` is `declined`. */
  readonly reason?: string;
  readonly staffId: string;
  readonly at: string;
}

/**
 * `idea.merged.v1`, written to both streams: on the duplicate's (`ideaId === mergedIdeaId`)
 * it closes the duplicate, which redirects to the survivor from then on; on the survivor's
 * (`ideaId === survivorIdeaId`) it brings the duplicate's supporters (a set union) and comments.
 */
export interface IdeaMergedV1 {
  readonly ideaId: string;
  readonly mergedIdeaId: string;
  readonly survivorIdeaId: string;
  /** The duplicate's votes and comments when it was closed (set on both events). */
  readonly votes: readonly IdeaVote[];
  readonly comments: readonly IdeaComment[];
  readonly staffId: string;
  readonly at: string;
}

/** RICE: reach (people per period) × impact × confidence (0–1) ÷ effort (person-months). */
export interface RiceScore {
  readonly reach: number;
  readonly impact: number;
  readonly confidence: number;
  readonly effort: number;
}

export function riceValueOf(rice: RiceScore): number {
  return (rice.reach * rice.impact * rice.confidence) / rice.effort;
}

/** `idea.rice-scored.v1`: staff set the idea's RICE estimate (the `rice` priority uses it). */
export interface IdeaRiceScoredV1 extends RiceScore {
  readonly ideaId: string;
  readonly staffId: string;
  readonly at: string;
}

export const IdeaEventTypes = {
  submitted: 'idea.submitted.v1',
  voted: 'idea.voted.v1',
  voteWithdrawn: 'idea.vote-withdrawn.v1',
  commented: 'idea.commented.v1',
  statusChanged: 'idea.status-changed.v1',
  merged: 'idea.merged.v1',
  riceScored: 'idea.rice-scored.v1',
} as const;

/** Names without the version suffix, as read models and filters talk about them. */
export const IdeaEventNames = {
  submitted: 'idea.submitted',
  voted: 'idea.voted',
  voteWithdrawn: 'idea.vote-withdrawn',
  commented: 'idea.commented',
  statusChanged: 'idea.status-changed',
  merged: 'idea.merged',
  riceScored: 'idea.rice-scored',
} as const;

export type IdeaEvent =
  | { readonly type: typeof IdeaEventTypes.submitted; readonly data: IdeaSubmittedV1 }
  | { readonly type: typeof IdeaEventTypes.voted; readonly data: IdeaVotedV1 }
  | { readonly type: typeof IdeaEventTypes.voteWithdrawn; readonly data: IdeaVoteWithdrawnV1 }
  | { readonly type: typeof IdeaEventTypes.commented; readonly data: IdeaCommentedV1 }
  | { readonly type: typeof IdeaEventTypes.statusChanged; readonly data: IdeaStatusChangedV1 }
  | { readonly type: typeof IdeaEventTypes.merged; readonly data: IdeaMergedV1 }
  | { readonly type: typeof IdeaEventTypes.riceScored; readonly data: IdeaRiceScoredV1 };

export type IdeaEventType = IdeaEvent['type'];

const KNOWN_TYPES: ReadonlySet<string> = new Set(Object.values(IdeaEventTypes));

/** The idea event a logged record holds, or null for any other type (only the deciders write these). */
export function ideaEventFrom(logged: {
  readonly type: string;
  readonly data: unknown;
}): IdeaEvent | null {
  if (!KNOWN_TYPES.has(logged.type)) return null;
  return { type: logged.type, data: logged.data } as IdeaEvent;
}

/** The stream of one idea. */
export function ideaStreamId(ideaId: string): string {
  return `idea-${ideaId}`;
}

export const ideaSubmitted = (data: IdeaSubmittedV1): IdeaEvent => ({
  type: IdeaEventTypes.submitted,
  data,
});
export const ideaVoted = (data: IdeaVotedV1): IdeaEvent => ({ type: IdeaEventTypes.voted, data });
export const ideaVoteWithdrawn = (data: IdeaVoteWithdrawnV1): IdeaEvent => ({
  type: IdeaEventTypes.voteWithdrawn,
  data,
});
export const ideaCommented = (data: IdeaCommentedV1): IdeaEvent => ({
  type: IdeaEventTypes.commented,
  data,
});
export const ideaStatusChanged = (data: IdeaStatusChangedV1): IdeaEvent => ({
  type: IdeaEventTypes.statusChanged,
  data,
});
export const ideaMerged = (data: IdeaMergedV1): IdeaEvent => ({
  type: IdeaEventTypes.merged,
  data,
});
export const ideaRiceScored = (data: IdeaRiceScoredV1): IdeaEvent => ({
  type: IdeaEventTypes.riceScored,
  data,
});
