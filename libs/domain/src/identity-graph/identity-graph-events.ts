import { type ChannelIdentity } from '../identity/channel-identity';

/** Who caused an identity event: a channel adapter (by its CloudEvents `source`) or a staff member. */
export type IdentityActor =
  | { readonly kind: 'adapter'; readonly source: string }
  | { readonly kind: 'staff'; readonly staffId: string };

export type StaffActor = Extract<IdentityActor, { kind: 'staff' }>;

/** What every identity-graph event carries besides its own facts. */
interface IdentityEventCommon {
  readonly by: IdentityActor;
  /** When it happened (ISO 8601, from the command: the domain has no clock). */
  readonly at: string;
  /** Free text a staff member gave; never interpreted. */
  readonly note?: string;
}

export type LinkReason =
  /** The identity was never seen before and starts a customer of its own. */
  | 'first-seen'
  /** The identity arrived on one touchpoint with an identity of that customer. */
  | 'seen-together'
  /** A link command (staff, or an adapter that knows both identities are one person). */
  | 'explicit-link';

/** `identity.linked.v1`: `identity` now belongs to `customerId` (its home customer). */
export interface IdentityLinkedV1 extends IdentityEventCommon {
  readonly identity: ChannelIdentity;
  readonly customerId: string;
  /** The identity it was linked through; absent when it starts a customer of its own. */
  readonly via?: ChannelIdentity;
  readonly reason: LinkReason;
}

/** `identity.unlinked.v1`: `identity` leaves `fromCustomerId` and starts `toCustomerId`, a new customer. */
export interface IdentityUnlinkedV1 extends IdentityEventCommon {
  readonly identity: ChannelIdentity;
  readonly fromCustomerId: string;
  readonly toCustomerId: string;
  readonly reason: 'explicit-unlink';
}

export type MergeReason =
  /** Policy allowed it: every identity joining the two customers was verified and auto-mergeable. */
  | 'verified-identities'
  /** An anonymous customer (only anonymous kinds) seen with a verified identity of a known one. */
  | 'anonymous-signed-in'
  /** A staff member decided it. */
  | 'staff-decision';

/** `customer.merged.v1`: `mergedId` now redirects to `survivorId`; both keep their own identities. */
export interface CustomerMergedV1 extends IdentityEventCommon {
  readonly survivorId: string;
  readonly mergedId: string;
  /** The identities that joined the two customers (empty for a staff decision). */
  readonly evidence: readonly ChannelIdentity[];
  readonly reason: MergeReason;
}

/** `customer.unmerged.v1`: `mergedId` no longer redirects to `survivorId`. */
export interface CustomerUnmergedV1 extends IdentityEventCommon {
  readonly survivorId: string;
  readonly mergedId: string;
  readonly reason: 'staff-decision';
}

export type MergeSuggestionReason =
  /** An identity joining the two customers is of a kind policy never merges automatically. */
  | 'kind-not-auto-mergeable'
  /** An identity joining the two customers was not verified by its channel. */
  | 'unverified-identity'
  /** One of the customers holds a blocked identity. */
  | 'holds-blocked-identity'
  /** Linking or merging would exceed the policy's limit of identities of one kind. */
  | 'kind-limit';

/** `customer.merge-suggested.v1`: the two customers look like one person; staff should decide. */
export interface CustomerMergeSuggestedV1 extends IdentityEventCommon {
  /** Who would survive by the survivor rule, and who would be merged into it. */
  readonly survivorId: string;
  readonly mergedId: string;
  readonly evidence: readonly ChannelIdentity[];
  readonly reason: MergeSuggestionReason;
}

/**
 * `customer.merge-suggestion-dismissed.v1`: a staff member looked at a merge suggestion and
 * decided the two are not one person (or not now): it is no longer open. Names the
 * suggestion's own pair, as it was suggested.
 */
export interface CustomerMergeSuggestionDismissedV1 extends IdentityEventCommon {
  readonly survivorId: string;
  readonly mergedId: string;
  readonly by: StaffActor;
}

export const IdentityGraphEventTypes = {
  identityLinked: 'identity.linked.v1',
  identityUnlinked: 'identity.unlinked.v1',
  customerMerged: 'customer.merged.v1',
  customerUnmerged: 'customer.unmerged.v1',
  customerMergeSuggested: 'customer.merge-suggested.v1',
  customerMergeSuggestionDismissed: 'customer.merge-suggestion-dismissed.v1',
} as const satisfies Record<string, `${string}.v${number}`>;

export type IdentityGraphEvent =
  | {
      readonly type: typeof IdentityGraphEventTypes.identityLinked;
      readonly data: IdentityLinkedV1;
    }
  | {
      readonly type: typeof IdentityGraphEventTypes.identityUnlinked;
      readonly data: IdentityUnlinkedV1;
    }
  | {
      readonly type: typeof IdentityGraphEventTypes.customerMerged;
      readonly data: CustomerMergedV1;
    }
  | {
      readonly type: typeof IdentityGraphEventTypes.customerUnmerged;
      readonly data: CustomerUnmergedV1;
    }
  | {
      readonly type: typeof IdentityGraphEventTypes.customerMergeSuggested;
      readonly data: CustomerMergeSuggestedV1;
    }
  | {
      readonly type: typeof IdentityGraphEventTypes.customerMergeSuggestionDismissed;
      readonly data: CustomerMergeSuggestionDismissedV1;
    };

export type IdentityGraphEventType = IdentityGraphEvent['type'];

/** Names without the version suffix, as read models and filters talk about them. */
export const IdentityGraphEventNames = {
  identityLinked: 'identity.linked',
  identityUnlinked: 'identity.unlinked',
  customerMerged: 'customer.merged',
  customerUnmerged: 'customer.unmerged',
  customerMergeSuggested: 'customer.merge-suggested',
  customerMergeSuggestionDismissed: 'customer.merge-suggestion-dismissed',
} as const;

const KNOWN_TYPES: ReadonlySet<string> = new Set(Object.values(IdentityGraphEventTypes));

/**
 * The identity-graph event a logged record holds, or null for any other type. The data
 * is trusted: only this module's deciders write these types to the log.
 */
export function identityGraphEventFrom(logged: {
  readonly type: string;
  readonly data: unknown;
}): IdentityGraphEvent | null {
  if (!KNOWN_TYPES.has(logged.type)) return null;
  return { type: logged.type, data: logged.data } as IdentityGraphEvent;
}

/** The identity an event links or unlinks; undefined for merges, unmerges and suggestions. */
export function identityMovedBy(event: IdentityGraphEvent): ChannelIdentity | undefined {
  return event.type === IdentityGraphEventTypes.identityLinked ||
    event.type === IdentityGraphEventTypes.identityUnlinked
    ? event.data.identity
    : undefined;
}

/** Every customer an event concerns: the streams it belongs to and the read models it touches. */
export function customersInvolvedIn(event: IdentityGraphEvent): string[] {
  switch (event.type) {
    case IdentityGraphEventTypes.identityLinked:
      return [event.data.customerId];
    case IdentityGraphEventTypes.identityUnlinked:
      return [event.data.fromCustomerId, event.data.toCustomerId];
    case IdentityGraphEventTypes.customerMerged:
    case IdentityGraphEventTypes.customerUnmerged:
    case IdentityGraphEventTypes.customerMergeSuggested:
    case IdentityGraphEventTypes.customerMergeSuggestionDismissed:
      return [event.data.survivorId, event.data.mergedId];
  }
}

export function identityLinked(data: IdentityLinkedV1): IdentityGraphEvent {
  return { type: IdentityGraphEventTypes.identityLinked, data };
}

export function identityUnlinked(data: IdentityUnlinkedV1): IdentityGraphEvent {
  return { type: IdentityGraphEventTypes.identityUnlinked, data };
}

export function customerMerged(data: CustomerMergedV1): IdentityGraphEvent {
  return { type: IdentityGraphEventTypes.customerMerged, data };
}

export function customerUnmerged(data: CustomerUnmergedV1): IdentityGraphEvent {
  return { type: IdentityGraphEventTypes.customerUnmerged, data };
}

export function customerMergeSuggested(data: CustomerMergeSuggestedV1): IdentityGraphEvent {
  return { type: IdentityGraphEventTypes.customerMergeSuggested, data };
}

export function customerMergeSuggestionDismissed(
  data: CustomerMergeSuggestionDismissedV1,
): IdentityGraphEvent {
  return { type: IdentityGraphEventTypes.customerMergeSuggestionDismissed, data };
}

/** `{ note }` when there is one: events never carry `undefined` fields (they must survive JSON). */
export function optionalNote(note: string | undefined): { note?: string } {
  return note === undefined ? {} : { note };
}
