import { type IdentityGraph } from './identity-graph';
import {
  customerMergeSuggestionDismissed,
  type IdentityGraphEvent,
  optionalNote,
  type StaffActor,
} from './identity-graph-events';
import { openMergeSuggestionsOf, resolveCustomer } from './identity-graph-queries';
import { type IdentityDecision, refuse } from './identity-refusal';

/** A staff member's "these two are not one person": dismiss the open suggestion between them. */
export interface DismissMergeSuggestion {
  /** One side: the customer whose suggestion it is (any id of its merge group). */
  readonly customerId: string;
  /** The other side (any id of its merge group). */
  readonly otherCustomerId: string;
  readonly by: StaffActor;
  readonly at: string;
  readonly note?: string;
}

/**
 * Dismisses every open merge suggestion between the merge groups of the two customers (one,
 * as suggestions are made once per pair; more where both groups were suggested with several
 * of each other's members). Refused when either is unknown or no suggestion between them is
 * open (dismissed already, merged, or kept apart by an unmerge).
 */
export function decideDismissMergeSuggestion(
  graph: IdentityGraph,
  command: DismissMergeSuggestion,
): IdentityDecision<IdentityGraphEvent[]> {
  const root = resolveCustomer(graph, command.customerId);
  if (root === undefined || !graph.customers.has(command.customerId))
    return refuse(
      'unknown-customer',
      'customerId',
      `customer ${command.customerId} does not exist`,
    );
  const other = resolveCustomer(graph, command.otherCustomerId);
  if (other === undefined || !graph.customers.has(command.otherCustomerId))
    return refuse(
      'unknown-customer',
      'otherCustomerId',
      `customer ${command.otherCustomerId} does not exist`,
    );
  const between = openMergeSuggestionsOf(graph, root).filter((s) => {
    const sides = [resolveCustomer(graph, s.survivorId), resolveCustomer(graph, s.mergedId)];
    return sides.includes(root) && sides.includes(other);
  });
  if (between.length === 0)
    return refuse(
      'no-open-suggestion',
      'otherCustomerId',
      `no open merge suggestion between ${command.customerId} and ${command.otherCustomerId}`,
    );
  return {
    ok: true,
    value: between.map((s) =>
      customerMergeSuggestionDismissed({
        survivorId: s.survivorId,
        mergedId: s.mergedId,
        by: command.by,
        at: command.at,
        ...optionalNote(command.note),
      }),
    ),
  };
}
