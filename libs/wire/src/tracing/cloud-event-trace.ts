import { type Context, context, type SpanContext, trace } from '@opentelemetry/api';
import { parseTraceContext, type TraceContextFields, traceContextFields } from './trace-context';

/**
 * Takes the distributed-tracing extension attributes off a decoded CloudEvent (a fresh
 * object its caller owns, as `decodeKafkaMessage` or a JSON body gives it) and returns the
 * trace context they carried, if valid. Taken off, so that validation, which refuses
 * unknown extension attributes, never sees them: a trace context is not part of a
 * touchpoint, and an invalid one is ignored, never a refusal.
 */
export function takeTraceContext(event: Record<string, unknown>): SpanContext | undefined {
  if (!Object.hasOwn(event, 'traceparent') && !Object.hasOwn(event, 'tracestate')) return undefined;
  const spanContext = parseTraceContext(event.traceparent, event.tracestate);
  delete event.traceparent;
  delete event.tracestate;
  return spanContext;
}

/**
 * Takes the distributed-tracing extension attributes off a decoded CloudEvent without reading
 * them: what `takeTraceContext` does where nothing traces (validation still must not see them).
 */
export function dropTraceContext(event: Record<string, unknown>): undefined {
  if (Object.hasOwn(event, 'traceparent')) delete event.traceparent;
  if (Object.hasOwn(event, 'tracestate')) delete event.tracestate;
  return undefined;
}

/**
 * An input without its trace attributes (a shallow copy, the input untouched) and the
 * context they carried; the input itself when it has none.
 */
export function withoutTraceContext(input: unknown): {
  readonly event: unknown;
  readonly carried?: SpanContext;
} {
  if (
    typeof input !== 'object' ||
    input === null ||
    Array.isArray(input) ||
    (!Object.hasOwn(input, 'traceparent') && !Object.hasOwn(input, 'tracestate'))
  )
    return { event: input };
  const copy = { ...(input as Record<string, unknown>) };
  const carried = takeTraceContext(copy);
  return carried ? { event: copy, carried } : { event: copy };
}

/** CloudEvent attributes with the distributed-tracing extension of `spanContext` added. */
export function withTraceAttributes<T extends object>(
  attributes: T,
  spanContext: SpanContext,
): T & Partial<TraceContextFields> {
  const fields = traceContextFields(spanContext);
  return fields ? { ...attributes, ...fields } : attributes;
}

/**
 * Where a log event keeps the trace context it was appended in: `metadata.trace`, so that a
 * projection applying it (now, or in a replay or rebuild years later) can continue or link
 * to the trace. Not part of the event's content: an event appended again under another
 * trace is the same event (`sameEventContent` ignores it).
 */
export const TRACE_METADATA_FIELD = 'trace';

/** The trace context a log event's metadata holds, if any valid one. */
export function storedTraceContext(metadata: unknown): SpanContext | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const stored = (metadata as Record<string, unknown>)[TRACE_METADATA_FIELD];
  if (typeof stored !== 'object' || stored === null) return undefined;
  const { traceparent, tracestate } = stored as Record<string, unknown>;
  return parseTraceContext(traceparent, tracestate);
}

/** The active context continuing the trace a log event keeps, or the active one as it is. */
export function contextOfStoredTrace(metadata: unknown): Context {
  const stored = storedTraceContext(metadata);
  return stored ? trace.setSpanContext(context.active(), stored) : context.active();
}

/**
 * `{ trace }` for the metadata of an event appended while a recording span is active (a
 * staff command's request): the event then keeps its trace like a touchpoint; `{}` otherwise.
 */
export function activeTraceMetadata(): { readonly trace?: TraceContextFields } {
  const span = trace.getSpan(context.active());
  if (!span?.isRecording()) return {};
  const fields = traceContextFields(span.spanContext());
  return fields ? { trace: fields } : {};
}
