import { identityKey } from '../identity/channel-identity';
import { type IdentityGraph, type MergeSuggestionRecord } from './identity-graph';
import { type IdentityGraphEvent, IdentityGraphEventTypes } from './identity-graph-events';
import { areKeptApart, identitiesOf, resolveCustomer } from './identity-graph-queries';

/** One side of a queued suggestion: the customer it is now (its merge group's survivor). */
export interface MergeSuggestionSide {
  readonly customerId: string;
  /** Its identities' keys (its own and its merged customers'). */
  readonly identityKeys: readonly string[];
}

/** An open merge suggestion as the queue of all open suggestions lists it. */
export interface QueuedMergeSuggestion {
  readonly suggestion: MergeSuggestionRecord;
  readonly survivor: MergeSuggestionSide;
  readonly merged: MergeSuggestionSide;
}

/** The key a queue keeps a suggestion under: its pair, as suggested. */
export function suggestionQueueKey(survivorId: string, mergedId: string): string {
  return `${survivorId}|${mergedId}`;
}

/**
 * What an identity event does to the queue of open suggestions: a suggestion joins it; a
 * dismissal, or a merge of exactly that pair, takes it out. (Suggestions closed another way —
 * a merge through a third customer, an unmerge keeping them apart — stay as candidates,
 * and `queuedSuggestion` leaves them out when read.)
 */
export function suggestionQueueChange(
  event: IdentityGraphEvent,
): { readonly add?: string; readonly remove?: readonly string[]; readonly at?: string } | null {
  switch (event.type) {
    case IdentityGraphEventTypes.customerMergeSuggested:
      return {
        add: suggestionQueueKey(event.data.survivorId, event.data.mergedId),
        at: event.data.at,
      };
    case IdentityGraphEventTypes.customerMergeSuggestionDismissed:
      return { remove: [suggestionQueueKey(event.data.survivorId, event.data.mergedId)] };
    case IdentityGraphEventTypes.customerMerged: {
      const { survivorId, mergedId } = event.data;
      return {
        remove: [
          suggestionQueueKey(survivorId, mergedId),
          suggestionQueueKey(mergedId, survivorId),
        ],
      };
    }
    default:
      return null;
  }
}

/**
 * The suggestion a queue key names, when it is still open: both sides known, separate,
 * not kept apart, not dismissed; with each side as it is now. `graph` must hold both
 * customers' merge groups (and kept-apart pairs among them).
 */
export function queuedSuggestion(
  graph: IdentityGraph,
  queueKey: string,
): QueuedMergeSuggestion | null {
  const [survivorId, mergedId] = queueKey.split('|');
  const suggestion = graph.customers
    .get(survivorId)
    ?.mergeSuggestions.find((s) => s.survivorId === survivorId && s.mergedId === mergedId);
  if (!suggestion || suggestion.dismissed) return null;
  const a = resolveCustomer(graph, survivorId);
  const b = resolveCustomer(graph, mergedId);
  if (a === undefined || b === undefined || a === b) return null;
  if (areKeptApart(graph, survivorId, mergedId)) return null;
  const side = (customerId: string): MergeSuggestionSide => ({
    customerId,
    identityKeys: identitiesOf(graph, customerId).map(identityKey),
  });
  return { suggestion, survivor: side(a), merged: side(b) };
}
