import {
  type ChannelIdentity,
  type IdentityHasher,
  type LogEventDraft,
  customerIdFor,
  customerStreamId,
  DEFAULT_IDENTITY_POLICY,
  type IdentityPolicy,
  identityKey,
  logEventIdFor,
  loggedIdentity,
} from '@rapport/domain';
import { type InboundEvent } from './parse-inbound-event';

/**
 * The log event an inbound event becomes: its customer's stream, its idempotent id. With
 * `hashIdentity` (pseudonymous keys on), every identity carries its pseudonym as `value` and
 * its own value as `plainValue` (which the log encrypts), and the customer id, the stream and
 * `metadata.identityKey` derive from the pseudonym, never from the plain value.
 */
export function toLogEvent(
  inbound: InboundEvent,
  hashIdentity?: IdentityHasher,
  /** Blocked identities are flagged `blocked` (a pattern cannot be matched against a pseudonym). */
  identityPolicy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
): LogEventDraft {
  const ce = inbound.cloudEvent;
  let identity = inbound.identity;
  let data = ce.data as Record<string, unknown>;
  if (hashIdentity) {
    const logged = (plain: ChannelIdentity) => loggedIdentity(plain, hashIdentity, identityPolicy);
    identity = logged(identity);
    const further = data.identities as ChannelIdentity[] | undefined;
    data = { ...data, identity };
    if (further) data.identities = further.map(logged);
  }
  const customerId = customerIdFor(identity);
  return {
    streamId: customerStreamId(customerId),
    id: logEventIdFor(ce.source, ce.id),
    type: ce.type,
    data,
    metadata: {
      ce: {
        id: ce.id,
        source: ce.source,
        time: ce.time as string,
        ...(ce.subject === undefined ? {} : { subject: ce.subject }),
        ...(ce.dataschema === undefined ? {} : { dataschema: ce.dataschema }),
      },
      occurredAt: inbound.occurredAt,
      customerId,
      identityKey: identityKey(identity),
    },
  };
}
