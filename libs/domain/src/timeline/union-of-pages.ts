import { type TimelineEntry } from './timeline-entry';
import { type TimelinePage, encodeCursor } from './timeline-query';

/**
 * One page of a timeline that is the union of several (a customer's identities, its merged
 * customers): each part's page of the same query (same cursor, same `limit`), merged newest
 * first with ties by log position. Log positions are unique, so no entry repeats and the
 * order is total; a part that had more than its page means the union has more too.
 */
export function unionOfPages(parts: readonly TimelinePage[], limit: number): TimelinePage {
  const all: { ms: number; entry: TimelineEntry }[] = [];
  for (const part of parts) {
    for (const entry of part.items) all.push({ ms: Date.parse(entry.occurredAt), entry });
  }
  all.sort((a, b) => b.ms - a.ms || b.entry.position - a.entry.position);
  const items = all.slice(0, limit).map((x) => x.entry);
  const more = all.length > limit || parts.some((part) => part.nextCursor !== null);
  return {
    items,
    nextCursor: more && items.length > 0 ? encodeCursor(items[items.length - 1]) : null,
  };
}
