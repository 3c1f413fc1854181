import { type IdentityGraph } from './identity-graph';
import {
  type IdentityGraphEvent,
  type StaffActor,
  customerUnmerged,
  optionalNote,
} from './identity-graph-events';
import { survivorOf } from './identity-graph-queries';
import { DEFAULT_IDENTITY_POLICY, type IdentityPolicy } from './identity-policy';
import { type IdentityDecision, refuse } from './identity-refusal';

/** A staff member's "these were two people after all". */
export interface UnmergeCustomers {
  readonly survivorId: string;
  readonly mergedId: string;
  readonly by: StaffActor;
  readonly at: string;
  readonly note?: string;
}

/**
 * Undoes the merge of `mergedId` into `survivorId` (in any order relative to other
 * merges: redirects form a tree). The merged customer gets back every identity it held
 * (and every customer merged into it before); identities linked to the survivor since
 * stay with the survivor. The pair is then never merged automatically again.
 */
export function decideUnmerge(
  graph: IdentityGraph,
  command: UnmergeCustomers,
  _policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
): IdentityDecision<IdentityGraphEvent[]> {
  const { survivorId, mergedId } = command;
  if (!graph.customers.has(survivorId)) {
    return refuse('unknown-customer', 'survivorId', `customer ${survivorId} does not exist`);
  }
  if (!graph.customers.has(mergedId)) {
    return refuse('unknown-customer', 'mergedId', `customer ${mergedId} does not exist`);
  }
  const mergedInto = survivorOf(graph, mergedId);
  if (mergedInto !== survivorId) {
    return refuse(
      'not-merged',
      'mergedId',
      mergedInto === undefined
        ? `customer ${mergedId} is not merged into any customer`
        : `customer ${mergedId} is merged into ${mergedInto}, not into ${survivorId}`,
    );
  }
  return {
    ok: true,
    value: [
      customerUnmerged({
        survivorId,
        mergedId,
        by: command.by,
        at: command.at,
        reason: 'staff-decision',
        ...optionalNote(command.note),
      }),
    ],
  };
}
