/** The message pattern the Kafka transport hands decoded touchpoint batches to. */
export const INGEST_BATCH_PATTERN = 'touchpoints.ingest-batch';

/** What the transport hands the handler: decoded CloudEvents (structured shape), not yet validated. */
export interface IngestBatch {
  readonly events: readonly unknown[];
}
