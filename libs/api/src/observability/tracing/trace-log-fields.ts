import { context, trace } from '@opentelemetry/api';

/**
 * The ids of the span active where a log line is written, as `trace_id` and `span_id`
 * fields (pino's `mixin`), so that a log line leads to its trace; nothing outside a span,
 * or with tracing off.
 */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return trace.isSpanContextValid(span.spanContext()) ? { trace_id: traceId, span_id: spanId } : {};
}
