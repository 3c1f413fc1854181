import {
  type Context,
  context,
  type Span,
  type SpanContext,
  trace,
  type TextMapGetter,
  TraceFlags,
  type TextMapSetter,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * The CloudEvents distributed-tracing extension: a W3C trace context in two attributes,
 * `traceparent` and `tracestate` (in Kafka binary mode `ce_traceparent` and `ce_tracestate`
 * headers, in structured mode attributes of the JSON).
 */
export const TRACE_ATTRIBUTES = ['traceparent', 'tracestate'] as const;

/** A W3C trace context as it travels: the two header values. */
export interface TraceContextFields {
  readonly traceparent: string;
  readonly tracestate?: string;
}

/** Longest value read: W3C allows future versions to extend `traceparent`; 512 is tracestate's limit. */
const MAX_LENGTH = 512;

/**
 * `version-traceid-parentid-flags`, lower-case hex, nothing around it (the propagator also
 * takes surrounding spaces, which a header may have and a CloudEvents attribute may not);
 * the propagator then refuses version `ff`, all-zero ids and extra fields on version 00.
 */
const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}(?:-[\x21-\x7e]*)?$/;

// Always W3C, whatever propagator a process registered: the extension is defined as W3C.
const w3c = new W3CTraceContextPropagator();

const getter: TextMapGetter<TraceContextFields> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => (key === 'traceparent' || key === 'tracestate' ? carrier[key] : undefined),
};

const setter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/**
 * The remote span context of a `traceparent` (and `tracestate`), or undefined when it is not
 * a valid W3C trace context: not a string, too long, a forbidden version (`ff`), an all-zero
 * trace or parent id, upper-case hex, extra fields on version 00. Never throws: a bad value is
 * ignored and its touchpoint starts a trace of its own. An invalid `tracestate` is dropped
 * alone (a valid `traceparent` is still followed).
 */
export function parseTraceContext(
  traceparent: unknown,
  tracestate?: unknown,
): SpanContext | undefined {
  if (
    typeof traceparent !== 'string' ||
    traceparent.length > MAX_LENGTH ||
    !TRACEPARENT.test(traceparent)
  )
    return undefined;
  const carrier: TraceContextFields =
    typeof tracestate === 'string' && tracestate.length <= MAX_LENGTH
      ? { traceparent, tracestate }
      : { traceparent };
  try {
    const spanContext = trace.getSpanContext(w3c.extract(context.active(), carrier, getter));
    if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
    // Only the sampled flag is kept: W3C asks unknown flags to be passed on as 0, and the
    // propagator would write flags of 0x10 and more as three digits (an invalid traceparent).
    return { ...spanContext, traceFlags: spanContext.traceFlags & TraceFlags.SAMPLED };
  } catch {
    return undefined; // a tracestate the parser chokes on: no trace rather than a refusal
  }
}

/** The `traceparent` (and `tracestate`, when there is one) of a span context. */
export function traceContextFields(spanContext: SpanContext): TraceContextFields | undefined {
  if (!trace.isSpanContextValid(spanContext)) return undefined;
  const carrier: Record<string, string> = {};
  w3c.inject(trace.setSpanContext(context.active(), spanContext), carrier, setter);
  if (!carrier.traceparent) return undefined;
  return carrier.tracestate
    ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate }
    : { traceparent: carrier.traceparent };
}

/**
 * Whether this process's sampler keeps a parent's decision: OpenTelemetry's default
 * (`parentbased_always_on`) and every `parentbased_*` of `OTEL_TRACES_SAMPLER`, which the SDK
 * reads the same way. Then the child of a span that is not sampled is not either, and need
 * not be started at all (docs/decisions/0033).
 */
export function samplerFollowsParent(env: NodeJS.ProcessEnv = process.env): boolean {
  const sampler = (env.OTEL_TRACES_SAMPLER ?? '').trim().toLowerCase();
  return sampler === '' || sampler.startsWith('parentbased_');
}

/**
 * The span a child of `parent` would be when it cannot be sampled: the parent's own
 * non-recording span (nothing new made: no ids, no sampler call), when the parent is not
 * sampled and the sampler keeps the parent's decision. Undefined when a span must be started.
 */
export function unsampledChildOf(parent: Context): Span | undefined {
  const span = trace.getSpan(parent);
  if (!span || span.isRecording() || span.spanContext().traceFlags & TraceFlags.SAMPLED)
    return undefined;
  return followsParent() ? span : undefined;
}

let followsParentOnce: boolean | undefined;
const followsParent = () => (followsParentOnce ??= samplerFollowsParent());
