import { createHash } from 'node:crypto';
import {
  type IdeaCommentView,
  type IdeaEvent,
  type IdeaView,
  type IdeaVote,
} from '@rapport/domain';

/*
 * How the idea backlog forgets a person (`customer.erased`): their votes stay counted, as
 * anonymous supporters; the ideas and comments they wrote stay, with their texts erased.
 * An anonymous supporter is a token per idea and person (`anonymous-` and 24 hex digits):
 * the votes a person cast under several merged customer ids count once, as before, and
 * a token says nothing about the person, nor links their votes across ideas. Tokens are a
 * function of the log (the erasure's customer id, hashed): a rebuild gives the same ones.
 */

const ANONYMOUS = 'anonymous-';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The hidden key of a forgotten person (every id of theirs maps to it): no customer id. */
export function personKeyOf(erasedCustomerId: string): string {
  return sha256(`rapport:erased-person:${erasedCustomerId}`).slice(0, 32);
}

/** What an erased customer id is remembered as (to anonymise it in later events): a hash. */
export function erasedIdKey(customerId: string): string {
  return sha256(`rapport:erased-customer:${customerId}`).slice(0, 32);
}

/** The anonymous supporter a forgotten person is on one idea. */
export function anonymousSupporter(ideaId: string, personKey: string): string {
  return ANONYMOUS + sha256(`${ideaId}\n${personKey}`).slice(0, 24);
}

/** Whether a supporter or submitter is an anonymous token rather than a customer id. */
export function isAnonymousSupporter(customerId: string): boolean {
  return customerId.startsWith(ANONYMOUS);
}

/** Customer id → the person key of the forgotten person it belongs to. */
export type ErasedPeople = ReadonlyMap<string, string>;

/** Every customer id an idea event names (submitter, voters, comment authors). */
export function customersNamedBy(event: IdeaEvent): string[] {
  const named: string[] = [];
  const d = event.data as {
    customerId?: unknown;
    author?: { kind?: unknown; customerId?: unknown };
    votes?: readonly { customerId?: unknown }[];
    comments?: readonly { author?: { kind?: unknown; customerId?: unknown } }[];
  };
  if (typeof d.customerId === 'string') named.push(d.customerId);
  for (const author of [d.author, ...(d.comments ?? []).map((c) => c.author)])
    if (author?.kind === 'customer' && typeof author.customerId === 'string')
      named.push(author.customerId);
  for (const vote of d.votes ?? [])
    if (typeof vote.customerId === 'string') named.push(vote.customerId);
  return named;
}

/**
 * The view as the backlog keeps it: every customer id of a forgotten person replaced by
 * their anonymous token on this idea (their votes merged into one, the latest kept), the
 * texts they wrote — and any text that reads as erased from the log (its key destroyed) —
 * as null with `erased: true`. Keys in one fixed order, so a view erased live and the same
 * view rebuilt from a log that reads its texts as erased are equal, byte for byte.
 */
export function sanitizedView(view: IdeaView, erased: ErasedPeople): IdeaView {
  const token = (customerId: string): string | undefined => {
    const person = erased.get(customerId);
    return person === undefined ? undefined : anonymousSupporter(view.ideaId, person);
  };
  const submitter = token(view.submittedBy);
  const textsErased =
    view.erased === true ||
    submitter !== undefined ||
    typeof view.title !== 'string' ||
    (view.description !== undefined && typeof view.description !== 'string');

  const votes = new Map<string, IdeaVote>();
  for (const vote of view.votes) {
    const anonymous = token(vote.customerId);
    const kept = anonymous === undefined ? vote : { ...vote, customerId: anonymous };
    const before = votes.get(kept.customerId);
    if (before === undefined || kept.at > before.at) votes.set(kept.customerId, kept);
  }

  return {
    ideaId: view.ideaId,
    title: textsErased ? null : view.title,
    ...(textsErased || view.description === undefined ? {} : { description: view.description }),
    ...(textsErased ? { erased: true as const } : {}),
    status: view.status,
    ...(view.declineReason === undefined ? {} : { declineReason: view.declineReason }),
    submittedBy: submitter ?? view.submittedBy,
    origin: view.origin,
    submittedAt: view.submittedAt,
    updatedAt: view.updatedAt,
    votes: [...votes.values()]
      .map((v) => ({ customerId: v.customerId, origin: v.origin, at: v.at }))
      .sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0)),
    comments: view.comments.map((comment) => sanitizedComment(comment, token)),
    history: view.history,
    ...(view.mergedInto === undefined ? {} : { mergedInto: view.mergedInto }),
    mergedFrom: view.mergedFrom,
    ...(view.rice === undefined ? {} : { rice: view.rice }),
    position: view.position,
  };
}

function sanitizedComment(
  comment: IdeaCommentView,
  token: (customerId: string) => string | undefined,
): IdeaCommentView {
  const anonymous =
    comment.author.kind === 'customer' ? token(comment.author.customerId) : undefined;
  const textErased =
    comment.erased === true || anonymous !== undefined || typeof comment.text !== 'string';
  return {
    commentId: comment.commentId,
    author: anonymous === undefined ? comment.author : { kind: 'customer', customerId: anonymous },
    text: textErased ? null : comment.text,
    ...(textErased ? { erased: true as const } : {}),
    at: comment.at,
    ...(comment.movedFrom === undefined ? {} : { movedFrom: comment.movedFrom }),
  };
}
