import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  type Sampler,
  SamplingDecision,
} from '@opentelemetry/sdk-trace-base';
import { drawRoot, drawRootsAt, unsampledChildOf } from '@rapport/wire';
import { DrawnRootSampler, drawnRootSampling } from './drawn-root-sampler';
import { currentTracing, startTracing } from './start-tracing';

const RATIO = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' };
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('drawn root sampling', () => {
  it('only for parentbased_traceidratio with a ratio in [0, 1], read as the SDK reads it', () => {
    expect(drawnRootSampling({ ...RATIO, OTEL_TRACES_SAMPLER_ARG: '0.01' })?.ratio).toBe(0.01);
    expect(drawnRootSampling({ ...RATIO, OTEL_TRACES_SAMPLER_ARG: '0' })?.ratio).toBe(0);
    expect(drawnRootSampling({ ...RATIO, OTEL_TRACES_SAMPLER_ARG: ' 1 ' })?.ratio).toBe(1);
    for (const arg of [undefined, '', ' ', 'x', '-0.1', '1.5'])
      expect(drawnRootSampling({ ...RATIO, OTEL_TRACES_SAMPLER_ARG: arg })).toBeUndefined();
    for (const sampler of ['traceidratio', 'parentbased_always_on', ' parentbased_traceidratio'])
      expect(
        drawnRootSampling({ OTEL_TRACES_SAMPLER: sampler, OTEL_TRACES_SAMPLER_ARG: '0.5' }),
      ).toBeUndefined();
    expect(drawnRootSampling({})).toBeUndefined();
  });

  it('samples a drawn root whatever the other sampler says, and leaves other roots to it', () => {
    const decision = (undrawn: Sampler, drawAt: number | undefined) => {
      drawRootsAt(drawAt);
      const start = drawRoot(ROOT_CONTEXT);
      drawRootsAt(undefined);
      return new DrawnRootSampler(undrawn).shouldSample(
        start,
        TRACE_ID,
        'x',
        SpanKind.CONSUMER,
        {},
        [],
      ).decision;
    };
    expect(decision(new AlwaysOffSampler(), 1)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decision(new AlwaysOffSampler(), undefined)).toBe(SamplingDecision.NOT_RECORD);
    expect(decision(new AlwaysOnSampler(), undefined)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  describe('a service started with parentbased_traceidratio', () => {
    const started = (ratio: string) =>
      startTracing('ingestor', {
        OTEL_TRACES_EXPORTER: 'console',
        ...RATIO,
        OTEL_TRACES_SAMPLER_ARG: ratio,
      });
    const tracer = () => trace.getTracer('probe');
    afterEach(() => currentTracing().shutdown());

    it('samples roots at the ratio, once: a drawn root is not sampled again at the ratio', () => {
      started('0.5');
      let recorded = 0;
      for (let i = 0; i < 4_000; i++) {
        const start = drawRoot(ROOT_CONTEXT);
        const unsampled = unsampledChildOf(start);
        const span = unsampled ?? tracer().startSpan('ingest', undefined, start);
        if (span.isRecording()) recorded += 1; // never ended: nothing is exported
      }
      // 2,000 expected at 0.5 (1,000 if drawn roots went to the ratio sampler again);
      // the standard deviation is about 32.
      expect(recorded).toBeGreaterThan(1_700);
      expect(recorded).toBeLessThan(2_300);
    });

    it('at 0 makes no span for a root, and stops drawing when tracing stops', async () => {
      started('0');
      expect(unsampledChildOf(drawRoot(ROOT_CONTEXT))).toBeDefined();
      await currentTracing().shutdown();
      expect(drawRoot(ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
    });

    it('leaves roots it did not draw (an HTTP request) to the ratio sampler', () => {
      started('0');
      expect(tracer().startSpan('GET').isRecording()).toBe(false);
    });
  });
});
