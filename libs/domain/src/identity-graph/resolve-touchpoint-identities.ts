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
} from './identity-graph-events';
import { customerOfIdentity, homeCustomerOfIdentity } from './identity-graph-queries';
import {
  DEFAULT_IDENTITY_POLICY,
  type IdentityPolicy,
  byPriority,
  isBlockedIdentity,
  maxIdentitiesOfKind,
  graphIdentityOf,
} from './identity-policy';
import { type IdentityDecision, refuse } from './identity-refusal';
import { PendingEvents } from './pending-events';
import { compareSurvivors } from './survivor-rule';

export interface TouchpointIdentities {
  /** Every normalised identity the touchpoint carries, with the channel's verified flags. */
  readonly identities: readonly ChannelIdentity[];
  /** The adapter that recorded it (CloudEvents `source`). */
  readonly source: string;
  /** When it happened (the touchpoint's time). */
  readonly at: string;
}

export interface TouchpointResolution {
  /** The surviving customer the touchpoint lands on. */
  readonly customerId: string;
  /**
   * The customer that holds the touchpoint's primary identity directly. A timeline that
   * files the touchpoint here (and shows a survivor the union of its merge group) splits
   * back exactly when that customer is unmerged.
   */
  readonly homeCustomerId: string;
  /** The first identity by priority (not blocked, unless all are) that belongs to that customer. */
  readonly primaryIdentity: ChannelIdentity;
  /** What to append to the log with the touchpoint (possibly nothing). */
  readonly events: readonly IdentityGraphEvent[];
}

/**
 * Where a touchpoint lands, and what it teaches the graph.
 *
 * - Blocked identities never link: when every identity is blocked, the touchpoint lands
 *   on the primary one's own customer (started if new), and nothing else happens.
 * - No identity known: the primary one starts a customer (`customerIdFor`), the others
 *   link to it.
 * - Known identities of one customer: it is the one; unknown identities link to it.
 * - Known identities of several customers: the survivor rule picks the one it lands on;
 *   each other customer is merged into it when policy allows, otherwise a merge is
 *   suggested (once per pair) — or nothing, when staff unmerged them before.
 * - An identity past the customer's `maxPerKind` starts a customer of its own instead,
 *   with a merge suggestion.
 */
export function resolveTouchpointIdentities(
  graph: IdentityGraph,
  touchpoint: TouchpointIdentities,
  policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
): IdentityDecision<TouchpointResolution> {
  if (touchpoint.identities.length === 0) {
    return refuse('no-identity', 'identities', 'a touchpoint needs at least one identity');
  }
  const decision: Deciding = {
    pending: new PendingEvents(graph),
    policy,
    by: { kind: 'adapter', source: touchpoint.source },
    at: touchpoint.at,
  };
  const identities = distinctIdentities(
    touchpoint.identities.map((identity) => graphIdentityOf(policy, identity)),
  ).sort(byPriority(policy));
  const usable = identities.filter((identity) => !isBlockedIdentity(policy, identity));

  if (usable.length === 0) {
    const primary = identities[0];
    const customerId =
      customerOfIdentity(graph, identityKey(primary)) ?? startCustomer(decision, primary);
    return landed(decision.pending, customerId, [primary]);
  }

  const known = usable.filter((identity) => graph.identities.has(identityKey(identity)));
  const unknown = usable.filter((identity) => !graph.identities.has(identityKey(identity)));
  if (known.length === 0) {
    const [first, ...others] = unknown;
    const customerId = startCustomer(decision, first);
    attachNewcomers(decision, customerId, first, others);
    return landed(decision.pending, customerId, usable);
  }

  const customers = [
    ...new Set(known.map((identity) => customerOfIdentity(graph, identityKey(identity)) as string)),
  ].sort(compareSurvivors(graph, policy));
  const [survivorId, ...others] = customers;
  for (const otherId of others) joinCustomers(decision, survivorId, otherId, known);
  // `known` is in priority order: the survivor's best identity on the touchpoint.
  const via = known.find(
    (identity) => customerOfIdentity(graph, identityKey(identity)) === survivorId,
  ) as ChannelIdentity;
  attachNewcomers(decision, survivorId, via, unknown);
  return landed(decision.pending, survivorId, usable);
}

/** What every step of one decision shares. */
interface Deciding {
  readonly pending: PendingEvents;
  readonly policy: IdentityPolicy;
  readonly by: IdentityActor;
  readonly at: string;
}

function startCustomer({ pending, by, at }: Deciding, identity: ChannelIdentity): string {
  const customerId = freshCustomerIdFor(pending.graph, identity);
  pending.emit(identityLinked({ identity, customerId, by, at, reason: 'first-seen' }));
  return customerId;
}

/** Merges `otherId` into the survivor when policy allows; else suggests it, once per pair. */
function joinCustomers(
  { pending, policy, by, at }: Deciding,
  survivorId: string,
  otherId: string,
  known: readonly ChannelIdentity[],
): void {
  // Every identity on the touchpoint of either customer (as merged so far).
  const evidence = known.filter((identity) => {
    const customerId = customerOfIdentity(pending.graph, identityKey(identity));
    return customerId === survivorId || customerId === otherId;
  });
  const verdict = autoMergeVerdict(pending.graph, policy, survivorId, otherId, evidence);
  if (verdict.verdict === 'merge') {
    pending.emit(
      customerMerged({
        survivorId,
        mergedId: otherId,
        evidence,
        by,
        at,
        reason: verdict.reason,
      }),
    );
  } else if (
    verdict.verdict === 'suggest' &&
    !pending.graph.suggestedPairs.has(customerPairKey(survivorId, otherId))
  ) {
    pending.emit(
      customerMergeSuggested({
        survivorId,
        mergedId: otherId,
        evidence,
        by,
        at,
        reason: verdict.reason,
      }),
    );
  }
}

/**
 * Links identities seen for the first time to the customer, up to the kind limits. One
 * past a limit starts a customer of its own (its touchpoints stay apart) and staff get a
 * merge suggestion to judge.
 */
function attachNewcomers(
  decision: Deciding,
  customerId: string,
  via: ChannelIdentity,
  newcomers: readonly ChannelIdentity[],
): void {
  const { pending, policy, by, at } = decision;
  for (const identity of newcomers) {
    const held = countOfKind(pending.graph, customerId, identity.kind);
    if (held < maxIdentitiesOfKind(policy, identity.kind)) {
      pending.emit(identityLinked({ identity, customerId, via, by, at, reason: 'seen-together' }));
      continue;
    }
    const ownId = startCustomer(decision, identity);
    pending.emit(
      customerMergeSuggested({
        survivorId: customerId,
        mergedId: ownId,
        evidence: [via, identity],
        by,
        at,
        reason: 'kind-limit',
      }),
    );
  }
}

function landed(
  pending: PendingEvents,
  customerId: string,
  candidates: readonly ChannelIdentity[],
): IdentityDecision<TouchpointResolution> {
  // The first identity (by priority) that now belongs to the customer it landed on: an
  // identity kept apart by a kind limit does not decide where the touchpoint is filed.
  const primaryIdentity =
    candidates.find((i) => customerOfIdentity(pending.graph, identityKey(i)) === customerId) ??
    candidates[0];
  const homeCustomerId = homeCustomerOfIdentity(pending.graph, identityKey(primaryIdentity));
  return {
    ok: true,
    value: {
      customerId,
      homeCustomerId: homeCustomerId ?? customerId,
      primaryIdentity,
      events: pending.events,
    },
  };
}

/** One entry per identity key; verified when any occurrence says so. */
function distinctIdentities(identities: readonly ChannelIdentity[]): ChannelIdentity[] {
  const byKey = new Map<string, ChannelIdentity>();
  for (const identity of identities) {
    const key = identityKey(identity);
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, identity);
    else if (identity.verified === true && seen.verified !== true) {
      byKey.set(key, { ...seen, verified: true });
    }
  }
  return [...byKey.values()];
}
