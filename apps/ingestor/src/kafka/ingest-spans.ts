import {
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type SpanContext,
  trace,
} from '@opentelemetry/api';
import { drawRoot, unsampledChildOf } from '@rapport/wire';

const tracer = trace.getTracer('@rapport/ingestor');

/**
 * The ingestor's span of one touchpoint from Kafka: a consumer span, the child of the
 * producer span whose context the message carried (`ce_traceparent` / `traceparent`), or
 * the root of a new trace when it carried none (or an invalid one). A span per message, not
 * one per fetched batch, so that each touchpoint's trace runs on unbroken; what the batch
 * shared shows in `messaging.batch.message_count`.
 */
export function startIngestSpan(
  topic: string,
  partition: number,
  carried: SpanContext | undefined,
  batchSize: number,
): { readonly span: Span; readonly context: Context } {
  const parent = carried ? trace.setSpanContext(context.active(), carried) : context.active();
  // A touchpoint that carried no trace is a root, drawn at the sampling ratio before a span is made.
  const start = drawRoot(parent);
  const unsampled = unsampledChildOf(start); // the adapter did not sample it, or it was drawn out
  if (unsampled) return { span: unsampled, context: start };
  const span = tracer.startSpan(`ingest ${topic}`, { kind: SpanKind.CONSUMER }, start);
  // Set once sampled (no sampler of ours reads attributes): an unsampled touchpoint builds none.
  if (span.isRecording())
    span.setAttributes({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': topic,
      'messaging.destination.partition.id': String(partition),
      'messaging.batch.message_count': batchSize,
    });
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends an ingest span with what came of the touchpoint (`dead-lettered` for the DLQ). */
export function endIngestSpan(span: Span, outcome: string): void {
  if (!span.isRecording()) return;
  span.setAttribute('rapport.ingest.outcome', outcome);
  if (outcome === 'dead-lettered' || outcome === 'failed')
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
  span.end();
}
