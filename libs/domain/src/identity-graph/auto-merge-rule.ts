import { type ChannelIdentity, type IdentityKind, identityKey } from '../identity/channel-identity';
import { type IdentityGraph } from './identity-graph';
import { type MergeSuggestionReason } from './identity-graph-events';
import { areKeptApart, identitiesOf } from './identity-graph-queries';
import {
  type IdentityPolicy,
  isAnonymousKind,
  isAutoMergeKind,
  isBlockedIdentity,
  maxIdentitiesOfKind,
} from './identity-policy';

export type AutoMergeVerdict =
  | { readonly verdict: 'merge'; readonly reason: 'verified-identities' | 'anonymous-signed-in' }
  /** Looks like one person, but policy wants a human to decide. */
  | { readonly verdict: 'suggest'; readonly reason: MergeSuggestionReason }
  /** A staff member unmerged these customers: neither merge nor nag again. */
  | { readonly verdict: 'kept-apart' };

/**
 * Whether two surviving customers that an adapter saw together (through `joining`, the
 * identities of either customer on one touchpoint or link, with the verified flags the
 * channel gave them) may be merged without asking staff. The first failing guard names
 * the reason of the suggestion.
 */
export function autoMergeVerdict(
  graph: IdentityGraph,
  policy: IdentityPolicy,
  survivorId: string,
  mergedId: string,
  joining: readonly ChannelIdentity[],
): AutoMergeVerdict {
  if (areKeptApart(graph, survivorId, mergedId)) return { verdict: 'kept-apart' };
  const survivorHolds = identitiesOf(graph, survivorId);
  const mergedHolds = identitiesOf(graph, mergedId);
  const signedIn = isAnonymousSignIn(policy, survivorHolds, mergedHolds, joining);
  if (!signedIn) {
    if (joining.some((identity) => !isAutoMergeKind(policy, identity.kind))) {
      return { verdict: 'suggest', reason: 'kind-not-auto-mergeable' };
    }
    if (joining.some((identity) => identity.verified !== true)) {
      return { verdict: 'suggest', reason: 'unverified-identity' };
    }
  }
  const union = [...survivorHolds, ...mergedHolds];
  if (union.some((identity) => isBlockedIdentity(policy, identity))) {
    return { verdict: 'suggest', reason: 'holds-blocked-identity' };
  }
  if (exceedsKindLimit(policy, union)) return { verdict: 'suggest', reason: 'kind-limit' };
  return { verdict: 'merge', reason: signedIn ? 'anonymous-signed-in' : 'verified-identities' };
}

/**
 * A visitor who logs in: the merged customer holds only anonymous kinds, the survivor holds
 * a person's identity, and every identity of the survivor's on the touchpoint is verified and
 * auto-mergeable. The anonymous side never survives, so a visitor id cannot pull a known
 * customer into an anonymous one.
 */
function isAnonymousSignIn(
  policy: IdentityPolicy,
  survivorHolds: readonly ChannelIdentity[],
  mergedHolds: readonly ChannelIdentity[],
  joining: readonly ChannelIdentity[],
): boolean {
  if (mergedHolds.length === 0 || survivorHolds.length === 0) return false;
  if (!mergedHolds.every((identity) => isAnonymousKind(policy, identity.kind))) return false;
  if (survivorHolds.every((identity) => isAnonymousKind(policy, identity.kind))) return false;
  const survivorKeys = new Set(survivorHolds.map(identityKey));
  const vouching = joining.filter((identity) => survivorKeys.has(identityKey(identity)));
  return (
    vouching.length > 0 &&
    vouching.every(
      (identity) => identity.verified === true && isAutoMergeKind(policy, identity.kind),
    )
  );
}

export function exceedsKindLimit(
  policy: IdentityPolicy,
  identities: readonly Pick<ChannelIdentity, 'kind'>[],
): boolean {
  const counts = new Map<IdentityKind, number>();
  for (const { kind } of identities) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts].some(([kind, count]) => count > maxIdentitiesOfKind(policy, kind));
}

/** How many identities of `kind` the customer holds, merged customers included. */
export function countOfKind(graph: IdentityGraph, customerId: string, kind: IdentityKind): number {
  return identitiesOf(graph, customerId).filter((identity) => identity.kind === kind).length;
}
