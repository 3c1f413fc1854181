import { type BacklogEntry, type IdeaStatus, riceValueOf } from '@rapport/domain';

/**
 * The orders the backlog read models keep their ideas in, so that a page of the backlog
 * reads the ideas ranked first instead of all of them (docs/decisions/0034-*.md):
 * - `newest`: submitted last first — exactly the `newest` sort;
 * - `rice`: the staff RICE value, highest first — exactly `priority=rice`;
 * - `supporters`: the distinct customer ids among the votes, most first — an upper bound of
 *   the count after customer merges (merged ids count once), of the trend and, times the
 *   largest weight, of the closeness-weighted priority.
 * Ties in every order as the ranking breaks them: submitted last first, then by idea id.
 */
export const BACKLOG_ORDERS = ['newest', 'rice', 'supporters'] as const;
export type BacklogOrder = (typeof BACKLOG_ORDERS)[number];

/** What an idea scores in an order (higher first). */
export function orderValueOf(entry: BacklogEntry, order: BacklogOrder): number {
  if (order === 'newest') return 0;
  if (order === 'rice') return entry.rice ? riceValueOf(entry.rice) : 0;
  return new Set(entry.votes.map(([customerId]) => customerId)).size;
}

/** Milliseconds past any submission time: `TIE_MS - submittedAt` sorts newest first. */
const TIE_MS = 9_999_999_999_999;

/**
 * The tie-break part of an idea's place, as a string that sorts ascending in rank order:
 * the submission time reversed (zero-padded), then the idea id. Redis sorts a sorted set's
 * members of equal score by their bytes, which is this order.
 */
export function tieKeyOf(entry: Pick<BacklogEntry, 'ideaId' | 'submittedAt'>): string {
  const ms = Date.parse(entry.submittedAt);
  return `${String(TIE_MS - ms).padStart(13, '0')}:${entry.ideaId}`;
}

/** The idea id in a tie key. */
export function ideaIdOfTieKey(tieKey: string): string {
  return tieKey.slice(tieKey.indexOf(':') + 1);
}

/** One idea as an ordered source gives it: its entry and its value in the order read. */
export interface OrderedIdea {
  readonly entry: BacklogEntry;
  readonly value: number;
}

/** The ideas of some statuses in one order, read in chunks from the first. */
export interface OrderedBacklog {
  /** How many ideas (not merged) are in these statuses. */
  readonly total: number;
  /** The next `count` ideas in order (fewer at the end). */
  next(count: number): Promise<OrderedIdea[]>;
}

/** The part of the read model the ordered reads need. */
export interface OrderedBacklogSource {
  ordered(
    statuses: readonly IdeaStatus[] | undefined,
    order: BacklogOrder,
  ): Promise<OrderedBacklog>;
}

/** Orders by value (highest first), then by tie key: the ranking's order. */
export function compareOrdered(
  a: { value: number; tieKey: string },
  b: { value: number; tieKey: string },
): number {
  return b.value - a.value || (a.tieKey < b.tieKey ? -1 : a.tieKey > b.tieKey ? 1 : 0);
}
