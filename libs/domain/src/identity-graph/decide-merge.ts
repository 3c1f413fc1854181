import { identityKey } from '../identity/channel-identity';
import { type IdentityGraph } from './identity-graph';
import {
  type IdentityGraphEvent,
  type StaffActor,
  customerMerged,
  optionalNote,
} from './identity-graph-events';
import { identitiesOf, resolveCustomer, survivorOf } from './identity-graph-queries';
import { DEFAULT_IDENTITY_POLICY, type IdentityPolicy, isBlockedIdentity } from './identity-policy';
import { type IdentityDecision, refuse } from './identity-refusal';

/** A staff member's "these two customers are one person; keep `survivorId`". */
export interface MergeCustomers {
  readonly survivorId: string;
  readonly mergedId: string;
  readonly by: StaffActor;
  readonly at: string;
  readonly note?: string;
}

/**
 * Merges `mergedId` (with every customer already merged into it) into `survivorId`. Both
 * must be surviving customers, so redirects form a tree and an unmerge restores exactly.
 * The kind limits do not apply — they guard automatic decisions, and this one is a
 * person's — but blocked identities do: they never link anyone.
 */
export function decideMerge(
  graph: IdentityGraph,
  command: MergeCustomers,
  policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
): IdentityDecision<IdentityGraphEvent[]> {
  const { survivorId, mergedId } = command;
  if (!graph.customers.has(survivorId)) {
    return refuse('unknown-customer', 'survivorId', `customer ${survivorId} does not exist`);
  }
  if (!graph.customers.has(mergedId)) {
    return refuse('unknown-customer', 'mergedId', `customer ${mergedId} does not exist`);
  }
  if (survivorId === mergedId) {
    return refuse('merge-into-itself', 'mergedId', `customer ${mergedId} cannot merge into itself`);
  }
  const survivorRoot = resolveCustomer(graph, survivorId);
  if (resolveCustomer(graph, mergedId) === survivorRoot && survivorRoot === survivorId) {
    return refuse(
      'already-merged',
      'mergedId',
      `customer ${mergedId} is already merged into ${survivorId}`,
    );
  }
  if (survivorRoot !== survivorId) {
    return refuse(
      'survivor-is-merged',
      'survivorId',
      `customer ${survivorId} is merged into ${survivorOf(graph, survivorId)}: merge into ${survivorRoot} instead`,
    );
  }
  const mergedInto = survivorOf(graph, mergedId);
  if (mergedInto !== undefined) {
    return refuse(
      'customer-is-merged',
      'mergedId',
      `customer ${mergedId} is already merged into ${mergedInto}: unmerge it first`,
    );
  }
  for (const [path, id] of [
    ['survivorId', survivorId],
    ['mergedId', mergedId],
  ] as const) {
    const blocked = identitiesOf(graph, id).find((identity) => isBlockedIdentity(policy, identity));
    if (blocked) {
      return refuse(
        'blocked-identity',
        path,
        `customer ${id} holds ${identityKey(blocked)}, which policy blocks from linking to anyone`,
      );
    }
  }
  return {
    ok: true,
    value: [
      customerMerged({
        survivorId,
        mergedId,
        evidence: [],
        by: command.by,
        at: command.at,
        reason: 'staff-decision',
        ...optionalNote(command.note),
      }),
    ],
  };
}
