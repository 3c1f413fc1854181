import {
  type BacklogItem,
  type BacklogPage,
  type BacklogQuery,
  backlogItemOf,
  type RankingContext,
} from '@rapport/domain';
import {
  type BacklogOrder,
  compareOrdered,
  type OrderedBacklogSource,
  tieKeyOf,
} from './backlog-ranking-order';

export interface RankedPageOptions {
  /** The ranking context for the supporters of the ideas read (resolved for them only). */
  readonly contextFor: (customerIds: readonly string[]) => Promise<RankingContext>;
  /** The largest weight a supporter can have in `priority=closeness`. */
  readonly maxClosenessWeight: number;
}

/**
 * `rankBacklog`'s page, read from the read model's maintained order instead of from every
 * idea: ideas come in chunks, ranked by an order whose value is the exact rank key (newest,
 * RICE) or an upper bound of it (distinct supporter ids: of the count after merges, of the
 * trend, and — times the largest weight — of the closeness-weighted priority). Reading stops
 * once the page's last item ranks before the bound of every idea not yet read, so a page
 * costs the ideas ranked before its end (more only where merges or the trend window pull
 * ideas down from their bound). Null for a query the orders cannot answer (words in the
 * title), or when a weight exceeded `maxClosenessWeight`: the caller ranks every idea then.
 */
export async function rankedBacklogPage(
  source: OrderedBacklogSource,
  query: BacklogQuery,
  options: RankedPageOptions,
): Promise<BacklogPage | null> {
  if (query.q) return null;
  const byPriority = query.sort === 'priority';
  const order: BacklogOrder =
    query.sort === 'newest'
      ? 'newest'
      : byPriority && query.priority === 'rice'
        ? 'rice'
        : 'supporters';
  const factor = byPriority && query.priority === 'closeness' ? options.maxClosenessWeight : 1;
  const keyOf = (item: BacklogItem) =>
    byPriority ? item.priority : query.sort === 'trend' ? item.trend : 0;
  const ordered = await source.ordered(query.statuses, order);
  const offset = query.offset ?? 0;
  const wanted = offset + query.limit;
  // The best `wanted` items so far, in rank order; each is exact, so only these can be paged.
  let best: { value: number; tieKey: string; item: BacklogItem }[] = [];
  // An idea read twice (its place changed between two chunks) is ranked once.
  const seen = new Set<string>();
  for (let chunk = wanted + 1; ; chunk = Math.min(2 * chunk, 5000)) {
    const ideas = await ordered.next(chunk);
    if (ideas.length === 0) break;
    const context = await options.contextFor(
      ideas.flatMap(({ entry }) => entry.votes.map(([customerId]) => customerId)),
    );
    for (const { entry, value } of ideas) {
      if (seen.has(entry.ideaId)) continue;
      seen.add(entry.ideaId);
      const item = backlogItemOf(entry, query.priority, context, query.trendDays);
      if (keyOf(item) > factor * value) return null; // not a bound after all: rank every idea
      best.push({ value: keyOf(item), tieKey: tieKeyOf(entry), item });
    }
    best.sort(compareOrdered);
    best = best.slice(0, wanted);
    if (ideas.length < chunk) break;
    // Every idea not read comes after the last one read in the order, so none ranks before
    // that one's bound: once the page's last item ranks before it, the page is complete.
    const last = ideas[ideas.length - 1];
    const bound = { value: factor * last.value, tieKey: tieKeyOf(last.entry) };
    if (best.length === wanted && compareOrdered(bound, best[wanted - 1]) >= 0) break;
  }
  return { items: best.slice(offset).map(({ item }) => item), total: ordered.total };
}
