import { trace, TraceFlags } from '@opentelemetry/api';
import { currentTracing, startTracing } from '@rapport/api';
import { parseTraceContext, unsampledChildOf } from '@rapport/wire';
import { startIngestSpan } from './ingest-spans';

const TOPIC = 'touchpoints.email';
const sampledAt = (ratio: string) =>
  startTracing('ingestor', {
    OTEL_TRACES_EXPORTER: 'console',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: ratio,
  });

/** Ingest spans under a ratio sampler: a touchpoint carrying no trace is drawn before a span is made. */
describe('ingest spans sampled at a ratio', () => {
  afterEach(() => currentTracing().shutdown());

  it('drawn out: no span, no ids, and its append starts none either', () => {
    sampledAt('0');
    const ingest = startIngestSpan(TOPIC, 0, undefined, 1);
    expect(ingest.span.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(ingest.span.spanContext())).toBe(false);
    expect(unsampledChildOf(ingest.context)).toBe(ingest.span); // what the append span checks
  });

  it('drawn in: a sampled consumer span, and its append a sampled child in the same trace', () => {
    sampledAt('1');
    const ingest = startIngestSpan(TOPIC, 0, undefined, 1);
    expect(ingest.span.isRecording()).toBe(true);
    expect(ingest.span.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(TraceFlags.SAMPLED);
    expect(unsampledChildOf(ingest.context)).toBeUndefined();
    const append = trace.getTracer('probe').startSpan('append', undefined, ingest.context);
    expect(append.isRecording()).toBe(true);
    expect(append.spanContext().traceId).toBe(ingest.span.spanContext().traceId);
  });

  it('a carried decision is followed, not drawn again', () => {
    sampledAt('0');
    const carried = parseTraceContext('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    const ingest = startIngestSpan(TOPIC, 0, carried, 1);
    expect(ingest.span.isRecording()).toBe(true);
    expect(ingest.span.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });
});
