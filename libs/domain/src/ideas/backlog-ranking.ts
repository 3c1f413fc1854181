import { type CustomerRedirects, NO_CUSTOMER_REDIRECTS } from './customer-redirects';
import { type IdeaStatus, type RiceScore, riceValueOf } from './idea-events';
import { type IdeaView } from './idea-view';

/**
 * What ranking needs of an idea, compact (read models keep it beside the full document):
 * votes as `[customerId, time in ms]`.
 */
export interface BacklogEntry {
  readonly ideaId: string;
  /** Null when the submitter was erased (see `IdeaView`). */
  readonly title: string | null;
  readonly status: IdeaStatus;
  readonly submittedAt: string;
  readonly updatedAt: string;
  readonly mergedInto?: string;
  readonly mergedFrom: readonly string[];
  readonly rice?: RiceScore;
  readonly votes: readonly (readonly [string, number])[];
}

export function backlogEntryOf(view: IdeaView): BacklogEntry {
  return {
    ideaId: view.ideaId,
    title: view.title,
    status: view.status,
    submittedAt: view.submittedAt,
    updatedAt: view.updatedAt,
    ...(view.mergedInto === undefined ? {} : { mergedInto: view.mergedInto }),
    mergedFrom: view.mergedFrom,
    ...(view.rice ? { rice: view.rice } : {}),
    votes: view.votes.map((v) => [v.customerId, Date.parse(v.at)] as const),
  };
}

/** How `priority` is computed: supporters counted, supporters weighed by closeness, or staff RICE. */
export const PRIORITY_MODES = ['count', 'closeness', 'rice'] as const;
export type PriorityMode = (typeof PRIORITY_MODES)[number];

/** `priority` (highest first), `trend` (most supporters in the last N days first), `newest`. */
export const BACKLOG_SORTS = ['priority', 'trend', 'newest'] as const;
export type BacklogSort = (typeof BACKLOG_SORTS)[number];

export interface BacklogQuery {
  readonly statuses?: readonly IdeaStatus[];
  /** Words that must all appear in the title (case and accents ignored). */
  readonly q?: string;
  readonly sort: BacklogSort;
  readonly priority: PriorityMode;
  /** The trend window; default 30 days. */
  readonly trendDays?: number;
  readonly limit: number;
  readonly offset?: number;
}

/** The weight of one supporter for `closeness` priority (1 until the closeness read model answers). */
export type ClosenessWeight = (customerId: string) => number;

export interface RankingContext {
  /** Now (the domain has no clock). */
  readonly now: string;
  readonly redirects?: CustomerRedirects;
  readonly closeness?: ClosenessWeight;
}

export interface BacklogItem {
  readonly ideaId: string;
  /** Null when the submitter was erased. */
  readonly title: string | null;
  readonly status: IdeaStatus;
  /** Distinct surviving customers supporting it. */
  readonly votes: number;
  readonly priority: number;
  /** Distinct supporters whose vote falls in the trend window. */
  readonly trend: number;
  readonly rice?: RiceScore;
  readonly submittedAt: string;
  readonly updatedAt: string;
  readonly mergedFrom: readonly string[];
}

export interface BacklogPage {
  readonly items: BacklogItem[];
  readonly total: number;
}

const DAY_MS = 86_400_000;

function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** Whether every word of `q` is in the title; an erased title (null) matches no words. */
export function titleMatches(title: string | null, q: string | undefined): boolean {
  if (!q) return true;
  if (title === null) return false;
  const haystack = fold(title);
  return fold(q)
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

/** One idea's line in the backlog: counts after customer redirects, priority by `mode`. */
export function backlogItemOf(
  view: BacklogEntry,
  mode: PriorityMode,
  context: RankingContext,
  trendDays = 30,
): BacklogItem {
  const redirects = context.redirects ?? NO_CUSTOMER_REDIRECTS;
  const since = Date.parse(context.now) - trendDays * DAY_MS;
  const supporters = new Set<string>();
  const recent = new Set<string>();
  for (const [customerId, atMs] of view.votes) {
    const person = redirects(customerId);
    supporters.add(person);
    if (atMs >= since) recent.add(person);
  }
  let priority: number;
  if (mode === 'rice') priority = view.rice ? riceValueOf(view.rice) : 0;
  else if (mode === 'closeness') {
    const weight = context.closeness ?? (() => 1);
    priority = [...supporters].reduce((sum, person) => sum + weight(person), 0);
  } else priority = supporters.size;
  return {
    ideaId: view.ideaId,
    title: view.title,
    status: view.status,
    votes: supporters.size,
    priority,
    trend: recent.size,
    ...(view.rice ? { rice: view.rice } : {}),
    submittedAt: view.submittedAt,
    updatedAt: view.updatedAt,
    mergedFrom: view.mergedFrom,
  };
}

/** Filters (status, title words), ranks and pages the ideas; merged ideas never show. Ties: newest, then id. */
export function rankBacklog(
  views: Iterable<BacklogEntry>,
  query: BacklogQuery,
  context: RankingContext,
): BacklogPage {
  const items: BacklogItem[] = [];
  for (const view of views) {
    if (view.mergedInto !== undefined) continue;
    if (query.statuses?.length && !query.statuses.includes(view.status)) continue;
    if (!titleMatches(view.title, query.q)) continue;
    items.push(backlogItemOf(view, query.priority, context, query.trendDays));
  }
  const key = (item: BacklogItem) =>
    query.sort === 'priority' ? item.priority : query.sort === 'trend' ? item.trend : 0;
  items.sort(
    (a, b) =>
      key(b) - key(a) ||
      (a.submittedAt < b.submittedAt ? 1 : a.submittedAt > b.submittedAt ? -1 : 0) ||
      (a.ideaId < b.ideaId ? -1 : 1),
  );
  const offset = query.offset ?? 0;
  return { items: items.slice(offset, offset + query.limit), total: items.length };
}
