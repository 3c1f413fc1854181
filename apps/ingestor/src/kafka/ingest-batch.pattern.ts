import { type Context } from '@opentelemetry/api';
import { type Channel } from '@rapport/domain';

/** The message pattern the Kafka transport hands decoded touchpoint batches to. */
export const INGEST_BATCH_PATTERN = 'touchpoints.ingest-batch';

/** What the transport hands the handler: decoded CloudEvents (structured shape), not yet validated. */
export interface IngestBatch {
  readonly events: readonly unknown[];
  /** The channel of the topic they came from: ACLs let only that channel's adapters write it. */
  readonly channel: Channel;
  /** With tracing on, each event's ingest span, which its append continues. */
  readonly parents?: readonly (Context | undefined)[];
}
