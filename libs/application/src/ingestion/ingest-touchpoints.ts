import {
  type ChannelIdentity,
  type FieldError,
  type IdentityHasher,
  type IdentityPolicy,
  identityKey,
  type IdentityNormalizationOptions,
  type LogEventDraft,
  type PublisherScope,
} from '@rapport/domain';
import { parseInboundEvent, toLogEvent, withoutTraceContext } from '@rapport/wire';
import { type Context, context, trace } from '@opentelemetry/api';
import { endAppendSpan, startAppendSpan, traceToKeep } from './append-spans';
import { withinPublisherScope } from './publisher-scope';
import { randomUUID } from 'node:crypto';
import { CoalescingAppender } from './coalescing-appender';
import {
  type AppendOutcome,
  type AppendRequest,
  type EventStore,
  EventIdConflictError,
  EventTooLargeError,
} from '@rapport/event-store';

export interface IngestionOptions extends IdentityNormalizationOptions {
  /** The clock (events too far in the future are refused). */
  readonly now: () => Date;
  readonly maxFutureSkewMs?: number;
  /**
   * Told of every unexpected exception while one event was processed (a bug: the event is
   * refused alone as `failed`, its neighbours go on). Given the error and the reference
   * the event's result carries; never the event itself, which may hold personal data.
   * Defaults to `console.error`.
   */
  readonly onUnexpectedError?: (error: unknown, reference: string) => void;
  /**
   * Pseudonymous keys: identities are logged under their blind index and customer ids derive
   * from it (`toLogEvent`). Off (plain keys) only for logs written before protection.
   */
  readonly hashIdentity?: IdentityHasher;
  /** Which identities are blocked (flagged on pseudonymous identities at ingestion). */
  readonly identityPolicy?: IdentityPolicy;
  /** Identities erased and not to be stored again; checked once per call. */
  readonly suppression?: SuppressionCheck;
}

/** Whether new touchpoints of an identity (a pseudonymous identity key) are dropped. */
export interface SuppressionCheck {
  /** Brings the list up to date (once per ingested batch). */
  refresh(): Promise<void>;
  isSuppressed(identityKey: string): boolean;
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
  /** Of an erased person whose identities are suppressed: dropped, counted, not stored. */
  | { readonly index: number; readonly status: 'suppressed' }
  /** An unexpected exception (a bug) while processing this event; logged under `reference`. */
  | {
      readonly index: number;
      readonly status: 'failed';
      readonly reference: string;
      readonly message: string;
    }
  | {
      readonly index: number;
      readonly status: 'conflict';
      readonly eventId: string;
      readonly message: string;
    };

/**
 * The ingestion use case, shared by every way in (HTTP, Kafka): validate and normalise
 * each event, resolve its customer, and append the valid ones to the log idempotently in
 * one durable write. Every input gets a result; none is dropped silently. Each event is
 * isolated: whatever goes wrong with one (invalid, conflicting, or an unexpected exception
 * anywhere from parsing to its append) is its own result and never costs a neighbour.
 * Only a store that fails as a whole (down, unreachable) rejects the call: then nothing of
 * the call was acknowledged, and the caller retries.
 */
export class TouchpointIngestion {
  private readonly appender: CoalescingAppender;

  constructor(
    store: EventStore,
    private readonly options: IngestionOptions,
  ) {
    this.appender = new CoalescingAppender(store);
  }

  /**
   * `scope` is what the publisher may say (an adapter key's, a Kafka topic's): an event
   * outside it is `rejected`; a `verified` claim it is not trusted for counts as unverified.
   */
  async ingest(
    inputs: readonly unknown[],
    scope: PublisherScope,
    /**
     * The trace context each input's append continues (the Kafka transport's ingest span);
     * otherwise the trace context the event carried (`traceparent`), else the active one.
     */
    parents?: readonly (Context | undefined)[],
  ): Promise<IngestResult[]> {
    const now = this.options.now();
    const results: IngestResult[] = new Array(inputs.length);
    const drafts: Draft[] = [];
    inputs.forEach((input, index) => {
      try {
        // The distributed-tracing extension is no part of the touchpoint (nor refused).
        const { event, carried } = withoutTraceContext(input);
        const parsed = withinPublisherScope(
          parseInboundEvent(event, { ...this.options, now }),
          scope,
        );
        if (parsed.ok)
          drafts.push({
            index,
            draft: toLogEvent(parsed.value, this.options.hashIdentity, this.options.identityPolicy),
            parent:
              parents?.[index] ??
              (carried ? trace.setSpanContext(context.active(), carried) : undefined),
          });
        else results[index] = { index, status: 'rejected', errors: parsed.errors };
      } catch (error) {
        results[index] = this.failed(index, error);
      }
    });
    if (drafts.length === 0) return results;
    const kept = await this.withoutSuppressed(drafts, results);
    if (kept.length === 0) return results;

    const spans = kept.map(({ draft, parent }) =>
      startAppendSpan(parent ?? context.active(), draft.type, kept.length),
    );
    const requests: AppendRequest[] = kept.map(({ draft }, i) => {
      const traceFields = traceToKeep(spans[i]);
      return {
        streamId: draft.streamId,
        expectedRevision: 'any',
        events: [
          {
            id: draft.id,
            type: draft.type,
            data: draft.data,
            metadata: traceFields ? { ...draft.metadata, trace: traceFields } : draft.metadata,
          },
        ],
      };
    });
    let outcomes: AppendOutcome[];
    try {
      outcomes = await this.appender.append(requests);
    } catch (error) {
      for (const span of spans) endAppendSpan(span, undefined, error);
      throw error;
    }
    outcomes.forEach((outcome, i) => {
      const { index, draft } = kept[i];
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
        results[index] = this.failed(index, outcome.error);
      }
      endAppendSpan(spans[i], results[index]);
    });
    return results;
  }

  private async withoutSuppressed(drafts: Draft[], results: IngestResult[]): Promise<Draft[]> {
    const suppression = this.options.suppression;
    if (!suppression) return drafts;
    await suppression.refresh();
    return drafts.filter(({ index, draft }) => {
      const keys = identityKeysOfDraft(draft);
      if (!keys.some((key) => suppression.isSuppressed(key))) return true;
      results[index] = { index, status: 'suppressed' };
      return false;
    });
  }

  private failed(index: number, error: unknown): IngestResult {
    const reference = randomUUID();
    (this.options.onUnexpectedError ?? reportToConsole)(error, reference);
    return {
      index,
      status: 'failed',
      reference,
      message: `the event could not be processed: an internal error, logged as ${reference}; nothing was stored`,
    };
  }
}

/** A valid input on its way to the log, and the trace context its append continues. */
interface Draft {
  readonly index: number;
  readonly draft: LogEventDraft;
  readonly parent?: Context;
}

function identityKeysOfDraft(draft: LogEventDraft): string[] {
  const further = (draft.data as { identities?: ChannelIdentity[] }).identities ?? [];
  return [draft.metadata.identityKey, ...further.map(identityKey)];
}

function reportToConsole(error: unknown, reference: string): void {
  console.error(`[ingestion] unexpected error (${reference}):`, error);
}
