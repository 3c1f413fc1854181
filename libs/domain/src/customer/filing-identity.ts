import { type ChannelIdentity } from '../identity/channel-identity';
import { customerIdFor } from '../identity/customer-id';
import {
  DEFAULT_IDENTITY_POLICY,
  type IdentityPolicy,
  isBlockedIdentity,
} from '../identity-graph/identity-policy';
import { type TimelineEntry } from '../timeline/timeline-entry';

/**
 * The identity a touchpoint's timeline entry is filed under: its primary identity, unless
 * policy blocks it (a shared `info@` address) and it carries another — then the first
 * identity that is not blocked, so the touchpoint shows on the person's timeline.
 * It depends on the touchpoint and the blocked list only, never on the graph: entries are
 * filed once and never move; merges and links only change which identities a customer has.
 */
export function filingIdentityOf(
  identities: readonly ChannelIdentity[],
  policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
): ChannelIdentity {
  return identities.find((identity) => !isBlockedIdentity(policy, identity)) ?? identities[0];
}

/** The entry filed under `filingIdentityOf` its touchpoint's identities (the same entry for one identity). */
export function fileTimelineEntry(
  entry: TimelineEntry,
  further: readonly ChannelIdentity[] | undefined,
  policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
): TimelineEntry {
  if (!further || further.length === 0) return entry;
  const filing = filingIdentityOf([entry.identity, ...further], policy);
  return filing === entry.identity
    ? entry
    : { ...entry, identity: filing, customerId: customerIdFor(filing) };
}
