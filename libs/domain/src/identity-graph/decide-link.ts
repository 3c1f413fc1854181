import { type ChannelIdentity, identityKey } from '../identity/channel-identity';
import { autoMergeVerdict, countOfKind } from './auto-merge-rule';
import { freshCustomerIdFor } from './fresh-customer-id';
import { type IdentityGraph, customerPairKey } from './identity-graph';
import {
  type IdentityActor,
  type IdentityGraphEvent,
  customerMergeSuggested,
  customerMerged,
  identityLinked,
  optionalNote,
} from './identity-graph-events';
import { customerOfIdentity } from './identity-graph-queries';
import {
  DEFAULT_IDENTITY_POLICY,
  type IdentityPolicy,
  byPriority,
  isBlockedIdentity,
  maxIdentitiesOfKind,
} from './identity-policy';
import { type IdentityDecision, refuse } from './identity-refusal';
import { PendingEvents } from './pending-events';
import { compareSurvivors } from './survivor-rule';

/** "These two identities are one person" — from a staff member, or an adapter (a chat login). */
export interface LinkIdentities {
  readonly identity: ChannelIdentity;
  readonly withIdentity: ChannelIdentity;
  readonly by: IdentityActor;
  readonly at: string;
  readonly note?: string;
}

/**
 * Links two identities. A link attaches an identity that has no customer yet; when both
 * are new, the first by priority starts a customer and the other joins it.
 *
 * When the two already belong to different customers, the link is really a merge: a
 * staff member is refused and pointed at the merge command (so the log says "merged by
 * staff", and the merge can be undone); an adapter's link is judged like a touchpoint
 * carrying both identities — merged when policy allows, else suggested.
 */
export function decideLink(
  graph: IdentityGraph,
  command: LinkIdentities,
  policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
): IdentityDecision<IdentityGraphEvent[]> {
  const { by, at } = command;
  const note = optionalNote(command.note);
  const keyA = identityKey(command.identity);
  const keyB = identityKey(command.withIdentity);
  if (keyA === keyB) {
    return refuse('same-identity', 'withIdentity', 'cannot link an identity to itself');
  }
  for (const [path, identity] of [
    ['identity', command.identity],
    ['withIdentity', command.withIdentity],
  ] as const) {
    if (isBlockedIdentity(policy, identity)) {
      return refuse(
        'blocked-identity',
        path,
        `${identityKey(identity)} is blocked by policy: it never links to anyone`,
      );
    }
  }

  const [first, second] = [command.identity, command.withIdentity].sort(byPriority(policy));
  const firstCustomer = customerOfIdentity(graph, identityKey(first));
  const secondCustomer = customerOfIdentity(graph, identityKey(second));
  const pending = new PendingEvents(graph);

  if (firstCustomer === undefined && secondCustomer === undefined) {
    if (first.kind === second.kind && maxIdentitiesOfKind(policy, first.kind) < 2) {
      return kindLimitRefusal(pathOf(command, second), second, 'a new customer', policy);
    }
    const customerId = freshCustomerIdFor(graph, first);
    pending.emit(
      identityLinked({ identity: first, customerId, by, at, reason: 'first-seen', ...note }),
    );
    pending.emit(
      identityLinked({
        identity: second,
        customerId,
        via: first,
        by,
        at,
        reason: 'explicit-link',
        ...note,
      }),
    );
    return { ok: true, value: pending.events };
  }

  if (firstCustomer === undefined || secondCustomer === undefined) {
    const [newcomer, anchor, customerId] =
      firstCustomer === undefined
        ? [first, second, secondCustomer as string]
        : [second, first, firstCustomer];
    if (
      countOfKind(graph, customerId, newcomer.kind) >= maxIdentitiesOfKind(policy, newcomer.kind)
    ) {
      return kindLimitRefusal(
        pathOf(command, newcomer),
        newcomer,
        `customer ${customerId}`,
        policy,
      );
    }
    pending.emit(
      identityLinked({
        identity: newcomer,
        customerId,
        via: anchor,
        by,
        at,
        reason: 'explicit-link',
        ...note,
      }),
    );
    return { ok: true, value: pending.events };
  }

  if (firstCustomer === secondCustomer) {
    return refuse(
      'already-linked',
      'withIdentity',
      `both identities already belong to customer ${firstCustomer}`,
    );
  }

  const [survivorId, mergedId] = [firstCustomer, secondCustomer].sort(
    compareSurvivors(graph, policy),
  );
  if (by.kind === 'staff') {
    return refuse(
      'different-customers',
      'withIdentity',
      `the identities belong to different customers (${firstCustomer}, ${secondCustomer}): ` +
        `merge customer ${mergedId} into ${survivorId} instead`,
    );
  }
  const evidence = [first, second];
  const verdict = autoMergeVerdict(graph, policy, survivorId, mergedId, evidence);
  switch (verdict.verdict) {
    case 'kept-apart':
      return refuse(
        'kept-apart',
        'withIdentity',
        `customers ${survivorId} and ${mergedId} were unmerged by staff: only staff can merge them again`,
      );
    case 'merge':
      pending.emit(
        customerMerged({
          survivorId,
          mergedId,
          evidence,
          by,
          at,
          reason: verdict.reason,
          ...note,
        }),
      );
      return { ok: true, value: pending.events };
    case 'suggest':
      // Suggested once per pair; repeating the link adds nothing staff does not know.
      if (!graph.suggestedPairs.has(customerPairKey(survivorId, mergedId))) {
        pending.emit(
          customerMergeSuggested({
            survivorId,
            mergedId,
            evidence,
            by,
            at,
            reason: verdict.reason,
            ...note,
          }),
        );
      }
      return { ok: true, value: pending.events };
  }
}

function pathOf(command: LinkIdentities, identity: ChannelIdentity): 'identity' | 'withIdentity' {
  return identityKey(identity) === identityKey(command.identity) ? 'identity' : 'withIdentity';
}

function kindLimitRefusal(
  path: string,
  identity: ChannelIdentity,
  holder: string,
  policy: IdentityPolicy,
): IdentityDecision<never> {
  const max = maxIdentitiesOfKind(policy, identity.kind);
  return refuse(
    'kind-limit',
    path,
    `${holder} may hold at most ${max} ${identity.kind} identit${max === 1 ? 'y' : 'ies'}: ` +
      `linking ${identityKey(identity)} would exceed the policy's limit`,
  );
}
