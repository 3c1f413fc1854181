import {
  type FieldError,
  type IdentityNormalizationOptions,
  parseInboundEvent,
  toLogEvent,
  type LogEventDraft,
} from '@rapport/domain';
import { CoalescingAppender } from './coalescing-appender';
import {
  type AppendRequest,
  type EventStore,
  EventIdConflictError,
  EventTooLargeError,
} from '@rapport/event-store';

export interface IngestionOptions extends IdentityNormalizationOptions {
  /** The clock (events too far in the future are refused). */
  readonly now: () => Date;
  readonly maxFutureSkewMs?: number;
}

/** What happened to one inbound event. */
export type IngestResult =
  | {
      readonly index: number;
      /** `accepted`: appended now; `duplicate`: the same event was already in the log. */
      readonly status: 'accepted' | 'duplicate';
      readonly eventId: string;
      readonly customerId: string;
      readonly streamId: string;
      readonly position: number;
    }
  | { readonly index: number; readonly status: 'rejected'; readonly errors: FieldError[] }
  | {
      readonly index: number;
      readonly status: 'conflict';
      readonly eventId: string;
      readonly message: string;
    };

/**
 * The ingestion use case, shared by every way in (HTTP, Kafka): validate and normalise
 * each event, resolve its customer, and append the valid ones to the log idempotently in
 * one durable write. Every input gets a result; none is dropped silently.
 */
export class TouchpointIngestion {
  private readonly appender: CoalescingAppender;

  constructor(
    store: EventStore,
    private readonly options: IngestionOptions,
  ) {
    this.appender = new CoalescingAppender(store);
  }

  async ingest(inputs: readonly unknown[]): Promise<IngestResult[]> {
    const now = this.options.now();
    const results: IngestResult[] = new Array(inputs.length);
    const drafts: { index: number; draft: LogEventDraft }[] = [];
    inputs.forEach((input, index) => {
      const parsed = parseInboundEvent(input, { ...this.options, now });
      if (parsed.ok) drafts.push({ index, draft: toLogEvent(parsed.value) });
      else results[index] = { index, status: 'rejected', errors: parsed.errors };
    });
    if (drafts.length === 0) return results;

    const requests: AppendRequest[] = drafts.map(({ draft }) => ({
      streamId: draft.streamId,
      expectedRevision: 'any',
      events: [{ id: draft.id, type: draft.type, data: draft.data, metadata: draft.metadata }],
    }));
    const outcomes = await this.appender.append(requests);
    outcomes.forEach((outcome, i) => {
      const { index, draft } = drafts[i];
      if (outcome.ok) {
        const appended = outcome.result.events[0];
        results[index] = {
          index,
          status: appended.duplicate ? 'duplicate' : 'accepted',
          eventId: draft.id,
          customerId: draft.metadata.customerId,
          streamId: draft.streamId,
          position: appended.position,
        };
      } else if (outcome.error instanceof EventIdConflictError) {
        results[index] = {
          index,
          status: 'conflict',
          eventId: draft.id,
          message: `an event with source ${draft.metadata.ce.source} and id ${draft.metadata.ce.id} was already ingested with different content`,
        };
      } else if (outcome.error instanceof EventTooLargeError) {
        results[index] = {
          index,
          status: 'rejected',
          errors: [{ path: 'data', message: outcome.error.message }],
        };
      } else {
        throw outcome.error;
      }
    });
    return results;
  }
}
