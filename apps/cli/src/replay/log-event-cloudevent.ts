import { type RecordedEvent } from '@rapport/event-store';
import { type CloudEventV1 } from 'cloudevents';

/**
 * A log event as the CloudEvent a replay publishes. The original CloudEvents `id` and
 * `source` are kept (for ingested touchpoints, what the adapter sent; for events the
 * platform wrote itself, the log event id and `rapport/log`), so a consumer deduplicates a
 * replayed event exactly as the original. Extension attributes say where it is in the log:
 * `rapporteventid` (the log's UUID), `rapportposition`, `rapportstream`, `rapportrecordedat`.
 * `type` and `data` are in the newest schema version (upcast on read).
 */
export function logEventAsCloudEvent(event: RecordedEvent): CloudEventV1<unknown> {
  const meta = (event.metadata ?? {}) as {
    ce?: {
      id?: unknown;
      source?: unknown;
      time?: unknown;
      subject?: unknown;
      dataschema?: unknown;
    };
    occurredAt?: unknown;
  };
  const ce = meta.ce ?? {};
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const subject = text(ce.subject);
  const dataschema = text(ce.dataschema);
  return {
    specversion: '1.0',
    id: text(ce.id) ?? event.id,
    source: text(ce.source) ?? 'rapport/log',
    type: event.type,
    time: text(ce.time) ?? text(meta.occurredAt) ?? event.recordedAt,
    datacontenttype: 'application/json',
    ...(subject ? { subject } : {}),
    ...(dataschema ? { dataschema } : {}),
    data: event.data,
    rapporteventid: event.id,
    rapportposition: String(event.position),
    rapportstream: event.streamId,
    rapportrecordedat: event.recordedAt,
  };
}
