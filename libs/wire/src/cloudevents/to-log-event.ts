import {
  type LogEventDraft,
  customerIdFor,
  customerStreamId,
  identityKey,
  logEventIdFor,
} from '@rapport/domain';
import { type InboundEvent } from './parse-inbound-event';

/** The log event an inbound event becomes: its customer's stream, its idempotent id. */
export function toLogEvent(inbound: InboundEvent): LogEventDraft {
  const ce = inbound.cloudEvent;
  const customerId = customerIdFor(inbound.identity);
  return {
    streamId: customerStreamId(customerId),
    id: logEventIdFor(ce.source, ce.id),
    type: ce.type,
    data: ce.data as Record<string, unknown>,
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
      identityKey: identityKey(inbound.identity),
    },
  };
}
