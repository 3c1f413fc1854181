import { type RecordedEvent } from '@rapport/event-store';

/**
 * One exported event: the same columns in NDJSON and Parquet, as docs/data-teams.md
 * (`rapport export`) documents them for data teams.
 */
export interface ExportRecord {
  readonly position: number;
  readonly event_id: string;
  readonly stream_id: string;
  readonly revision: number;
  readonly type: string;
  /** Milliseconds since the epoch. */
  readonly recorded_at: number;
  readonly occurred_at: number | null;
  readonly customer_id: string | null;
  readonly channel: string | null;
  readonly source: string | null;
  readonly data: unknown;
  readonly metadata: unknown;
}

interface KnownMetadata {
  occurredAt?: unknown;
  customerId?: unknown;
  ce?: { source?: unknown };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function toExportRecord(event: RecordedEvent): ExportRecord {
  const meta = (event.metadata ?? {}) as KnownMetadata;
  const occurred = str(meta.occurredAt);
  const occurredAt = occurred === null ? NaN : Date.parse(occurred);
  return {
    position: event.position,
    event_id: event.id,
    stream_id: event.streamId,
    revision: event.revision,
    type: event.type,
    recorded_at: Date.parse(event.recordedAt),
    occurred_at: Number.isNaN(occurredAt) ? null : occurredAt,
    customer_id: str(meta.customerId),
    channel: str((event.data as { channel?: unknown } | null)?.channel),
    source: str(meta.ce?.source),
    data: event.data ?? null,
    metadata: event.metadata ?? null,
  };
}

/** The NDJSON line of an exported event: times as ISO 8601 UTC strings, data and metadata as JSON. */
export function toNdjsonLine(record: ExportRecord): string {
  return `${JSON.stringify({
    ...record,
    recorded_at: new Date(record.recorded_at).toISOString(),
    occurred_at: record.occurred_at === null ? null : new Date(record.occurred_at).toISOString(),
  })}\n`;
}
