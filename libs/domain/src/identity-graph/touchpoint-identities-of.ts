import { nameBasedUuid } from '../ids/name-based-uuid';
import { EventNames, parseEventType } from '../events/event-type';
import { type ChannelIdentity } from '../identity/channel-identity';
import { type IngestedEventMetadata } from '../ingestion/touchpoint-log-event';
import { type TouchpointIdentities } from './resolve-touchpoint-identities';

/**
 * The one stream every identity-graph event is appended to, each at the exact revision it
 * was decided on; the graph is the fold of this stream alone
 * (docs/decisions/0006-identity-decisions-recorded-in-the-log.md).
 */
export const IDENTITY_GRAPH_STREAM = 'identity-graph';

/** The ids of identity events decided for a touchpoint (name-based, in a fixed, random namespace). */
const decisionIdOf = nameBasedUuid('0c6f4b1e-93d2-4a57-8e1f-5b2a7d9c3e40');

/** The log id of the `index`-th identity event decided for the event `causeId`: a redecision is a duplicate. */
export function identityDecisionIdFor(causeId: string, index: number): string {
  return decisionIdOf(`${causeId}#${index}`);
}

/** What an identity event appended for a cause records beside it. */
export interface IdentityDecisionMetadata {
  readonly [key: string]: unknown;
  /** The event that caused the decision (a touchpoint's log id, or a staff request id). */
  readonly causationId: string;
  /** The log position of the touchpoint it was decided for (absent for staff decisions). */
  readonly causePosition?: number;
}

interface LoggedTouchpoint {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

/**
 * The identities a logged touchpoint or survey answer carries (the primary `identity`
 * first, then `identities`), for `resolveTouchpointIdentities`; null for other events.
 */
export function touchpointIdentitiesOf(event: LoggedTouchpoint): TouchpointIdentities | null {
  const type = parseEventType(event.type);
  if (
    !type ||
    (type.name !== EventNames.touchpointRecorded && type.name !== EventNames.surveyResponded)
  )
    return null;
  const data = event.data as { identity: ChannelIdentity; identities?: ChannelIdentity[] };
  const meta = event.metadata as IngestedEventMetadata;
  return {
    identities: [data.identity, ...(data.identities ?? [])],
    source: meta.ce.source,
    at: meta.occurredAt,
  };
}
