import { type ChannelIdentity, identityKey } from '../identity/channel-identity';
import { type IdentityGraph, EMPTY_IDENTITY_GRAPH, replayIdentityGraph } from './identity-graph';
import { customerIdFor } from '../identity/customer-id';
import {
  type IdentityGraphEvent,
  type StaffActor,
  customerMerged,
  customerUnmerged,
  identityLinked,
} from './identity-graph-events';
import { type IdentityDecision } from './identity-refusal';

/** Test helpers: identities, actors, "given these events", and unwrapping decisions. */

export const AT = '2026-03-01T09:00:00.000Z';
export const CHAT_ADAPTER = 'adapters/chat';
export const STAFF: StaffActor = { kind: 'staff', staffId: 'agent-7' };

export const email = (value: string, verified = true): ChannelIdentity => ({
  kind: 'email',
  value,
  verified,
});
export const phone = (value: string, verified = true): ChannelIdentity => ({
  kind: 'phone',
  value,
  verified,
});
export const chat = (value: string): ChannelIdentity => ({ kind: 'chat', value });
export const card = (value: string, verified = true): ChannelIdentity => ({
  kind: 'card',
  value,
  verified,
});
export const social = (network: string, value: string): ChannelIdentity => ({
  kind: 'social',
  network,
  value,
});

export const keyOf = identityKey;

export function given(
  ...events: (IdentityGraphEvent | readonly IdentityGraphEvent[])[]
): IdentityGraph {
  return replayIdentityGraph(events.flat(), EMPTY_IDENTITY_GRAPH);
}

export function accepted<T>(decision: IdentityDecision<T>): T {
  if (!decision.ok) throw new Error(`expected acceptance, got ${JSON.stringify(decision.errors)}`);
  return decision.value;
}

export function refusalOf<T>(decision: IdentityDecision<T>): {
  code: string;
  path: string;
  message: string;
} {
  if (decision.ok) throw new Error(`expected a refusal, got ${JSON.stringify(decision.value)}`);
  return decision.errors[0];
}

export const ADAPTER = { kind: 'adapter', source: CHAT_ADAPTER } as const;

/** `identity` started its own customer (the deterministic one, unless given). */
export const firstSeen = (
  identity: ChannelIdentity,
  customerId: string = customerIdFor(identity),
): IdentityGraphEvent =>
  identityLinked({ identity, customerId, by: ADAPTER, at: AT, reason: 'first-seen' });

/** `identity` joined `customerId` through `via`. */
export const seenWith = (
  identity: ChannelIdentity,
  customerId: string,
  via: ChannelIdentity,
): IdentityGraphEvent =>
  identityLinked({ identity, customerId, via, by: ADAPTER, at: AT, reason: 'seen-together' });

export const staffMerged = (survivorId: string, mergedId: string): IdentityGraphEvent =>
  customerMerged({
    survivorId,
    mergedId,
    evidence: [],
    by: STAFF,
    at: AT,
    reason: 'staff-decision',
  });

export const staffUnmerged = (survivorId: string, mergedId: string): IdentityGraphEvent =>
  customerUnmerged({ survivorId, mergedId, by: STAFF, at: AT, reason: 'staff-decision' });

export const idOf = customerIdFor;
