import { type CustomerRedirects, NO_CUSTOMER_REDIRECTS } from './customer-redirects';
import { type Idea, type IdeaState, votesOfCustomer } from './idea';
import {
  type CommentAuthor,
  type IdeaEvent,
  type IdeaMergedV1,
  type IdeaOrigin,
  type IdeaStatus,
  ideaCommented,
  ideaMerged,
  ideaRiceScored,
  type RiceScore,
  ideaStatusChanged,
  ideaSubmitted,
  ideaVoteWithdrawn,
  ideaVoted,
} from './idea-events';
import { type IdeaDecision, refuseIdea } from './idea-refusal';
import { allowedTransitions, canTransition, isClosedStatus } from './idea-status';

export const IdeaLimits = {
  titleLength: 200,
  descriptionLength: 8000,
  commentLength: 4000,
  reasonLength: 1000,
} as const;

export interface SubmitIdea {
  readonly kind: 'submit';
  readonly ideaId: string;
  readonly title: string;
  readonly description?: string;
  readonly customerId: string;
  readonly origin: IdeaOrigin;
  readonly at: string;
}

export interface VoteForIdea {
  readonly kind: 'vote';
  readonly customerId: string;
  readonly origin: IdeaOrigin;
  readonly at: string;
}

export interface WithdrawVote {
  readonly kind: 'withdraw-vote';
  readonly customerId: string;
  readonly origin: IdeaOrigin;
  readonly at: string;
}

export interface CommentOnIdea {
  readonly kind: 'comment';
  readonly commentId: string;
  readonly author: CommentAuthor;
  readonly text: string;
  readonly at: string;
}

export interface ChangeIdeaStatus {
  readonly kind: 'change-status';
  readonly to: IdeaStatus;
  readonly reason?: string;
  readonly staffId: string;
  readonly at: string;
}

export interface ScoreIdea extends RiceScore {
  readonly kind: 'score';
  readonly staffId: string;
  readonly at: string;
}

/** Commands on one idea stream (merging two ideas is `decideIdeaMerge`). */
export type IdeaCommand =
  SubmitIdea | VoteForIdea | WithdrawVote | CommentOnIdea | ChangeIdeaStatus | ScoreIdea;

/**
 * The events a command on one idea produces, or why it is refused. `redirects` says where
 * merged customers lead today, so a person's second identity cannot vote twice.
 */
export function decideIdea(
  state: IdeaState,
  command: IdeaCommand,
  redirects: CustomerRedirects = NO_CUSTOMER_REDIRECTS,
): IdeaDecision<IdeaEvent[]> {
  if (command.kind === 'submit') return decideSubmit(state, command);
  const open = openIdea(state);
  if (!open.ok) return open;
  const idea = open.value;
  switch (command.kind) {
    case 'vote':
      return decideVote(idea, command, redirects);
    case 'withdraw-vote':
      return decideWithdraw(idea, command, redirects);
    case 'comment':
      return decideComment(idea, command);
    case 'change-status':
      return decideStatus(idea, command);
    case 'score':
      return decideScore(idea, command);
  }
}

function decideSubmit(state: IdeaState, c: SubmitIdea): IdeaDecision<IdeaEvent[]> {
  if (state !== null) {
    if (c.origin.kind === 'touchpoint' && state.touchpoints.has(c.origin.touchpointEventId)) {
      return refuseIdea(
        'duplicate-touchpoint',
        'origin',
        `touchpoint ${c.origin.touchpointEventId} already submitted idea ${state.id}`,
      );
    }
    return refuseIdea('idea-exists', 'ideaId', `idea ${c.ideaId} already exists`);
  }
  const title = c.title.trim();
  const bad =
    checkText('title', title, IdeaLimits.titleLength) ??
    (c.description === undefined
      ? undefined
      : checkText('description', c.description, IdeaLimits.descriptionLength));
  if (bad) return bad;
  return {
    ok: true,
    value: [
      ideaSubmitted({
        ideaId: c.ideaId,
        title,
        ...(c.description === undefined ? {} : { description: c.description }),
        customerId: c.customerId,
        origin: c.origin,
        at: c.at,
      }),
      ideaVoted({ ideaId: c.ideaId, customerId: c.customerId, origin: c.origin, at: c.at }),
    ],
  };
}

function decideVote(
  idea: Idea,
  c: VoteForIdea,
  redirects: CustomerRedirects,
): IdeaDecision<IdeaEvent[]> {
  const dup = duplicateTouchpoint(idea, c.origin);
  if (dup) return dup;
  if (isClosedStatus(idea.status)) {
    return refuseIdea(
      'idea-closed',
      'ideaId',
      `idea ${idea.id} is ${idea.status}: it takes no new votes`,
      { status: idea.status },
    );
  }
  const existing = votesOfCustomer(idea, c.customerId, redirects);
  if (existing.length > 0) {
    const as =
      existing[0].customerId === c.customerId
        ? ''
        : ` (as ${existing[0].customerId}, merged into the same customer)`;
    return refuseIdea(
      'already-voted',
      'customerId',
      `customer ${c.customerId} already supports idea ${idea.id}${as}`,
    );
  }
  return {
    ok: true,
    value: [ideaVoted({ ideaId: idea.id, customerId: c.customerId, origin: c.origin, at: c.at })],
  };
}

function decideWithdraw(
  idea: Idea,
  c: WithdrawVote,
  redirects: CustomerRedirects,
): IdeaDecision<IdeaEvent[]> {
  const dup = duplicateTouchpoint(idea, c.origin);
  if (dup) return dup;
  const votes = votesOfCustomer(idea, c.customerId, redirects);
  if (votes.length === 0) {
    return refuseIdea(
      'not-voted',
      'customerId',
      `customer ${c.customerId} does not support idea ${idea.id}`,
    );
  }
  // Every vote the person cast, under any of their merged ids, goes.
  return {
    ok: true,
    value: votes
      .map((v) => v.customerId)
      .sort()
      .map((customerId) =>
        ideaVoteWithdrawn({ ideaId: idea.id, customerId, origin: c.origin, at: c.at }),
      ),
  };
}

function decideComment(idea: Idea, c: CommentOnIdea): IdeaDecision<IdeaEvent[]> {
  const text = c.text.trim();
  const bad = checkText('text', text, IdeaLimits.commentLength);
  if (bad) return bad;
  return {
    ok: true,
    value: [
      ideaCommented({ ideaId: idea.id, commentId: c.commentId, author: c.author, text, at: c.at }),
    ],
  };
}

function decideStatus(idea: Idea, c: ChangeIdeaStatus): IdeaDecision<IdeaEvent[]> {
  if (!canTransition(idea.status, c.to)) {
    const allowed = allowedTransitions(idea.status);
    return refuseIdea(
      'illegal-transition',
      'to',
      `idea ${idea.id} is ${idea.status}; it cannot move to ${c.to} (${allowed.length ? `allowed: ${allowed.join(', ')}` : 'it is closed'})`,
      { status: idea.status, allowed },
    );
  }
  const reason = c.reason?.trim();
  if (c.to === 'declined') {
    if (!reason) return refuseIdea('reason-required', 'reason', 'declining an idea needs a reason');
    const bad = checkText('reason', reason, IdeaLimits.reasonLength);
    if (bad) return bad;
  }
  return {
    ok: true,
    value: [
      ideaStatusChanged({
        ideaId: idea.id,
        from: idea.status,
        to: c.to,
        ...(reason ? { reason } : {}),
        staffId: c.staffId,
        at: c.at,
      }),
    ],
  };
}

function decideScore(idea: Idea, c: ScoreIdea): IdeaDecision<IdeaEvent[]> {
  const checks: [keyof RiceScore, boolean][] = [
    ['reach', Number.isFinite(c.reach) && c.reach >= 0],
    ['impact', Number.isFinite(c.impact) && c.impact >= 0],
    ['confidence', Number.isFinite(c.confidence) && c.confidence >= 0 && c.confidence <= 1],
    ['effort', Number.isFinite(c.effort) && c.effort > 0],
  ];
  const bad = checks.find(([, ok]) => !ok);
  if (bad) {
    return refuseIdea(
      'invalid-field',
      bad[0],
      `${bad[0]} is out of range (reach, impact ≥ 0; confidence 0–1; effort > 0)`,
    );
  }
  const { reach, impact, confidence, effort } = c;
  return {
    ok: true,
    value: [
      ideaRiceScored({
        ideaId: idea.id,
        reach,
        impact,
        confidence,
        effort,
        staffId: c.staffId,
        at: c.at,
      }),
    ],
  };
}

export interface MergeIdeas {
  readonly staffId: string;
  readonly at: string;
}

/**
 * Merges the duplicate into the survivor: one `idea.merged` for each stream. The
 * duplicate's event is appended first (it closes the duplicate, so its supporters and
 * comments are final), then the survivor's — see `decideIdeaAbsorb` for a retry.
 */
export function decideIdeaMerge(
  duplicate: IdeaState,
  survivor: IdeaState,
  command: MergeIdeas,
): IdeaDecision<{ readonly duplicate: IdeaEvent; readonly survivor: IdeaEvent }> {
  const dup = openIdea(duplicate, 'ideaId');
  if (!dup.ok) return dup;
  const sur = openIdea(survivor, 'survivorIdeaId');
  if (!sur.ok) return sur;
  if (dup.value.id === sur.value.id) {
    return refuseIdea(
      'merge-into-itself',
      'survivorIdeaId',
      `idea ${dup.value.id} cannot merge into itself`,
    );
  }
  const data: IdeaMergedV1 = {
    ideaId: dup.value.id,
    mergedIdeaId: dup.value.id,
    survivorIdeaId: sur.value.id,
    votes: [...dup.value.votes.values()],
    comments: dup.value.comments,
    staffId: command.staffId,
    at: command.at,
  };
  return {
    ok: true,
    value: { duplicate: ideaMerged(data), survivor: ideaMerged({ ...data, ideaId: sur.value.id }) },
  };
}

/**
 * The survivor's half of a merge whose duplicate half is in the log: nothing when the
 * survivor already took it in (a retry), refused when the survivor was merged meanwhile.
 */
export function decideIdeaAbsorb(
  survivor: IdeaState,
  merged: IdeaMergedV1,
): IdeaDecision<IdeaEvent[]> {
  const sur = openIdea(survivor, 'survivorIdeaId');
  if (!sur.ok) return sur;
  if (sur.value.mergedFrom.includes(merged.mergedIdeaId)) return { ok: true, value: [] };
  // The idea that takes the votes in: the named survivor, or (when that one was merged on
  // before this half landed) the idea the application followed its redirect to.
  return {
    ok: true,
    value: [ideaMerged({ ...merged, ideaId: sur.value.id, survivorIdeaId: sur.value.id })],
  };
}

function openIdea(state: IdeaState, path = 'ideaId'): IdeaDecision<Idea> {
  if (state === null) return refuseIdea('unknown-idea', path, 'no such idea');
  if (state.mergedInto !== undefined) {
    return refuseIdea('idea-merged', path, `idea ${state.id} was merged into ${state.mergedInto}`, {
      redirectTo: state.mergedInto,
    });
  }
  return { ok: true, value: state };
}

function duplicateTouchpoint(idea: Idea, origin: IdeaOrigin): IdeaDecision<never> | null {
  if (origin.kind !== 'touchpoint' || !idea.touchpoints.has(origin.touchpointEventId)) return null;
  return refuseIdea(
    'duplicate-touchpoint',
    'origin',
    `touchpoint ${origin.touchpointEventId} was already applied to idea ${idea.id}`,
  );
}

function checkText(path: string, text: string, max: number): IdeaDecision<never> | undefined {
  if (text.trim().length === 0)
    return refuseIdea('invalid-field', path, `${path} must not be empty`);
  if (text.length > max)
    return refuseIdea('invalid-field', path, `${path} is longer than ${max} characters`);
  return undefined;
}
