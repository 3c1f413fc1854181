import { type Context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { type TraceContextFields, traceContextFields, unsampledChildOf } from '@rapport/wire';
import { type IngestResult } from './ingest-touchpoints';

const tracer = trace.getTracer('@rapport/ingestion');

/**
 * The span of one touchpoint's append to the log: a child of its ingest span (Kafka), of the
 * request (HTTP), or of the trace context the event itself carried. Appends of many
 * touchpoints share one durable write (group commit), but each touchpoint's trace gets its
 * own span for its part of it, so that one trace reads from publish to projection;
 * `rapport.append.events` says how many shared the call.
 */
export function startAppendSpan(parent: Context, eventType: string, sharedWith: number): Span {
  const unsampled = unsampledChildOf(parent);
  if (unsampled) return unsampled; // the parent's, which this one's end leaves alone
  const span = tracer.startSpan('append to the log', undefined, parent);
  // Set once sampled (no sampler of ours reads attributes): an unsampled touchpoint builds none.
  if (span.isRecording())
    span.setAttributes({ 'rapport.event.type': eventType, 'rapport.append.events': sharedWith });
  return span;
}

/**
 * What the event keeps in `metadata.trace`: the append span's context, so that a projection
 * continues the trace. Only for a recorded (sampled) span: with tracing off, or a trace not
 * sampled, the log holds nothing more.
 */
export function traceToKeep(span: Span): TraceContextFields | undefined {
  return span.isRecording() ? traceContextFields(span.spanContext()) : undefined;
}

/** Ends an append span with what came of the touchpoint. */
export function endAppendSpan(span: Span, result: IngestResult | undefined, error?: unknown): void {
  if (!span.isRecording()) return; // a non-recording span's end does nothing
  if (result) {
    span.setAttribute('rapport.ingest.outcome', result.status);
    if (result.status === 'accepted' || result.status === 'duplicate')
      span.setAttribute('rapport.log.position', result.position);
    if (result.status === 'failed' || result.status === 'conflict')
      span.setStatus({ code: SpanStatusCode.ERROR, message: result.status });
  } else {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.name : 'the append failed',
    });
  }
  span.end();
}
