import { type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * The adapter's side of a touchpoint's trace: one producer span per touchpoint, a child of
 * whatever span is active where the adapter publishes (its own request, its mail poll), or
 * the root of a new trace. Without an OpenTelemetry SDK in the adapter these are the API's
 * no-op spans and no trace context is sent.
 */
const tracer = trace.getTracer('@rapport/adapter-sdk');

export function startPublishSpan(topic: string, eventType: string): Span {
  return tracer.startSpan(`publish ${topic}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': topic,
      'cloudevents.event_type': eventType,
    },
  });
}

/** Ends the spans of one send: each with the partition it went to, or the error. */
export function endPublishSpans(
  spans: readonly { readonly span: Span; readonly partition?: number }[],
  error?: unknown,
): void {
  for (const { span, partition } of spans) {
    if (error !== undefined) {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.name : 'publish failed',
      });
    } else if (partition !== undefined) {
      span.setAttribute('messaging.destination.partition.id', String(partition));
    }
    span.end();
  }
}
