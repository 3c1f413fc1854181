import {
  compareNewestFirst,
  encodeCursor,
  identityKey,
  matchesTimelineFilter,
  type TimelineEntry,
  type TimelinePage,
  type TimelineQuery,
} from '@rapport/domain';
import { CheckpointMismatchError, type CheckpointRange } from '../projection/checkpoint';
import { type TimelineReadModel } from './timeline-read-model';

interface StoredEntry {
  readonly occurredAtMs: number;
  readonly position: number;
  readonly entry: TimelineEntry;
}

/**
 * Timelines in process memory: per customer an array kept sorted oldest → newest, so
 * appends (the common case) push at the end and a page is a binary search plus a walk.
 */
export class MemoryTimelineReadModel implements TimelineReadModel {
  private readonly timelines = new Map<string, StoredEntry[]>();
  private readonly identities = new Map<string, string>();
  private position = 0;

  async checkpoint(): Promise<number> {
    return this.position;
  }

  async apply(entries: readonly TimelineEntry[], range: CheckpointRange): Promise<void> {
    if (range.after !== this.position)
      throw new CheckpointMismatchError('timeline', range.after, this.position);
    for (const entry of entries) {
      this.insert(entry);
      this.identities.set(identityKey(entry.identity), entry.customerId);
    }
    this.position = range.upTo;
  }

  async page(customerId: string, query: TimelineQuery): Promise<TimelinePage> {
    const list = this.timelines.get(customerId) ?? [];
    // Walk from the newest entry that is strictly older than the cursor and before `to`.
    let start = list.length - 1;
    if (query.cursor) start = Math.min(start, lastIndexOlderThan(list, query.cursor));
    if (query.to)
      start = Math.min(
        start,
        lastIndexOlderThan(list, { occurredAtMs: Date.parse(query.to), position: 0 }),
      );
    const fromMs = query.from ? Date.parse(query.from) : -Infinity;
    const items: TimelineEntry[] = [];
    let more = false;
    for (let i = start; i >= 0 && list[i].occurredAtMs >= fromMs; i -= 1) {
      if (!matchesTimelineFilter(list[i].entry, query)) continue;
      if (items.length === query.limit) {
        more = true;
        break;
      }
      items.push(list[i].entry);
    }
    return { items, nextCursor: more ? encodeCursor(items[items.length - 1]) : null };
  }

  async customerByIdentity(key: string): Promise<string | null> {
    return this.identities.get(key) ?? null;
  }

  async clear(): Promise<void> {
    this.timelines.clear();
    this.identities.clear();
    this.position = 0;
  }

  private insert(entry: TimelineEntry): void {
    const stored = { occurredAtMs: Date.parse(entry.occurredAt), position: entry.position, entry };
    let list = this.timelines.get(entry.customerId);
    if (!list) this.timelines.set(entry.customerId, (list = []));
    // Oldest first: insert after every entry that is not newer than this one.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareNewestFirst(list[mid], stored) > 0) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, stored);
  }
}

/** Index of the newest entry strictly older than `key` (list sorted oldest first); -1 if none. */
function lastIndexOlderThan(
  list: readonly StoredEntry[],
  key: { occurredAtMs: number; position: number },
): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // compareNewestFirst(list[mid], key) > 0  ⇔  list[mid] is older than key.
    if (compareNewestFirst(list[mid], key) > 0) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
