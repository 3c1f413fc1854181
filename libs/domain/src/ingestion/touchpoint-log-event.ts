import { nameBasedUuid } from '../ids/name-based-uuid';

/** Log event ids derived from CloudEvents `source` + `id`, in a fixed, random namespace. */
const eventIdOf = nameBasedUuid('6f1b0c8e-2d7a-4e35-8a41-93c2d5e7b0f4');

/** The metadata Rapport stores beside every ingested event's data. */
export interface IngestedEventMetadata {
  readonly [key: string]: unknown;
  /** CloudEvents attributes of the original event. */
  readonly ce: { id: string; source: string; time: string; subject?: string; dataschema?: string };
  /** `time`, normalised to UTC. */
  readonly occurredAt: string;
  readonly customerId: string;
  readonly identityKey: string;
}

/** An event ready to append: where, with which idempotency key, what. */
export interface LogEventDraft {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: IngestedEventMetadata;
}

/**
 * The log event id: CloudEvents promise that `source` + `id` is unique, so the same
 * message redelivered (by Kafka, by an adapter's retry) always maps to the same log id.
 */
export function logEventIdFor(source: string, id: string): string {
  return eventIdOf(`${source}\n${id}`);
}
