import {
  type IdentityGraph,
  type IdentityGraphEvent,
  queuedSuggestion,
  type QueuedMergeSuggestion,
  suggestionQueueChange,
} from '@rapport/domain';

/** The queue's candidates in process memory, read in the order they were suggested (as Redis). */
export class MemorySuggestionQueue {
  /** pair → when it was suggested (ms) */
  private readonly candidates = new Map<string, number>();

  apply(events: readonly IdentityGraphEvent[]): void {
    for (const event of events) {
      const change = suggestionQueueChange(event);
      if (change?.add) this.candidates.set(change.add, Date.parse(change.at ?? '') || 0);
      for (const key of change?.remove ?? []) this.candidates.delete(key);
    }
  }

  clear(): void {
    this.candidates.clear();
  }

  read(
    graph: IdentityGraph,
    isErased: (customerId: string) => boolean,
    limit: number,
  ): QueuedMergeSuggestion[] {
    const open: QueuedMergeSuggestion[] = [];
    // By time, then pair: the order of Redis's sorted set (its members compare as bytes).
    const ordered = [...this.candidates].sort(([a, x], [b, y]) => x - y || (a < b ? -1 : 1));
    for (const [key] of ordered) {
      if (open.length >= limit) break;
      const queued = queuedSuggestion(graph, key);
      if (queued && !isErased(queued.survivor.customerId) && !isErased(queued.merged.customerId))
        open.push(queued);
    }
    return open;
  }
}
