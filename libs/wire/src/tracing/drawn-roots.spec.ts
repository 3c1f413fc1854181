import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { drawnForSampling, drawRoot, drawRootsAt } from './drawn-roots';
import { parseTraceContext, unsampledChildOf } from './trace-context';

const CARRIED = parseTraceContext('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')!;

describe('roots drawn before their spans are made', () => {
  afterEach(() => drawRootsAt(undefined));

  it('leaves every context as it is when the process does not draw', () => {
    expect(drawRoot(ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
    expect(drawnForSampling(drawRoot(ROOT_CONTEXT))).toBe(false);
  });

  it('drawn out: a non-recording, unsampled span without ids, which a child does not start under', () => {
    drawRootsAt(0);
    const start = drawRoot(ROOT_CONTEXT);
    const span = trace.getSpan(start)!;
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(0);
    expect(trace.isSpanContextValid(span.spanContext())).toBe(false);
    expect(unsampledChildOf(start)).toBe(span);
    expect(drawnForSampling(start)).toBe(false);
  });

  it('drawn in: the context marked for the sampler, with no span in it', () => {
    drawRootsAt(1);
    const start = drawRoot(ROOT_CONTEXT);
    expect(drawnForSampling(start)).toBe(true);
    expect(trace.getSpan(start)).toBeUndefined();
    expect(unsampledChildOf(start)).toBeUndefined();
  });

  it('draws only roots: a context holding a span (a carried trace) is left to its decision', () => {
    drawRootsAt(0);
    const carried = trace.setSpanContext(context.active(), CARRIED);
    expect(drawRoot(carried)).toBe(carried);
    drawRootsAt(1);
    expect(drawRoot(carried)).toBe(carried);
  });

  it('draws at the ratio it was given', () => {
    drawRootsAt(0.25);
    let drawn = 0;
    for (let i = 0; i < 8_000; i++) if (drawnForSampling(drawRoot(ROOT_CONTEXT))) drawn += 1;
    // 2,000 expected; the standard deviation is under 39, so this bound is over 10 of them.
    expect(drawn).toBeGreaterThan(1_600);
    expect(drawn).toBeLessThan(2_400);
  });
});
