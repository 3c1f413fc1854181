import { type Attributes, type Context, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  ParentBasedSampler,
  type Sampler,
  SamplingDecision,
  type SamplingResult,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import { SqliteEventStore } from '@rapport/event-store';
import { TouchpointIngestion } from './ingest-touchpoints';

/** Samples nothing it decides itself (as a ratio sampler does 99 % of traces), and notes what it was given. */
class NeverRecording implements Sampler {
  readonly attributesSeen: Attributes[] = [];
  shouldSample(
    _c: Context,
    _t: string,
    _n: string,
    _k: unknown,
    attributes: Attributes,
  ): SamplingResult {
    this.attributesSeen.push(attributes);
    return { decision: SamplingDecision.NOT_RECORD };
  }
  toString(): string {
    return 'NeverRecording';
  }
}

/**
 * With sampling on (parent-based, the production setting) a touchpoint whose trace is not
 * sampled costs next to nothing: no span is exported, no attributes are built for one, and the
 * log keeps no trace context (so the projector makes no span for it either).
 */
describe('TouchpointIngestion: a touchpoint whose trace is not sampled', () => {
  const exporter = new InMemorySpanExporter();
  const root = new NeverRecording();
  /** Asked only if a span is started under an unsampled parent: the code starts none. */
  const underUnsampled = new NeverRecording();
  beforeAll(() => {
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({
        sampler: new ParentBasedSampler({
          root,
          remoteParentNotSampled: underUnsampled,
          localParentNotSampled: underUnsampled,
        }),
        spanProcessors: [new SimpleSpanProcessor(exporter)],
      }),
    );
  });
  afterAll(() => trace.disable());

  it.each([
    [
      'carried unsampled from the adapter (flags 00)',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
    ],
    ['carrying none (the ingestor decides, and does not sample it)', undefined],
  ])('%s: no span, no attributes, nothing more in the log', async (_, traceparent) => {
    const store = new SqliteEventStore({ path: ':memory:' });
    const asked = root.attributesSeen.length;
    try {
      const ingestion = new TouchpointIngestion(store, {
        now: () => new Date('2026-06-01T12:00:00Z'),
      });
      const [result] = await ingestion.ingest(
        [
          {
            specversion: '1.0',
            id: `unsampled-${traceparent ? 'carried' : 'none'}`,
            source: 'adapters/email',
            type: 'touchpoint.recorded.v1',
            time: '2026-05-31T09:30:00Z',
            ...(traceparent ? { traceparent } : {}),
            data: {
              channel: 'email',
              direction: 'inbound',
              identity: { kind: 'email', value: 'unsampled@example.com' },
            },
          },
        ],
        UNRESTRICTED_SCOPE,
      );
      expect(result.status).toBe('accepted');
      expect(exporter.getFinishedSpans()).toEqual([]);
      // Without a parent the root sampler decided: the assertions below are not vacuous.
      if (!traceparent) expect(root.attributesSeen.length).toBeGreaterThan(asked);
      for (const attributes of root.attributesSeen) expect(attributes ?? {}).toEqual({});
      expect(underUnsampled.attributesSeen).toEqual([]); // no span started under it at all
      const [stored] = await store.readAll({ after: 0, maxCount: 10 });
      expect(stored.metadata).not.toHaveProperty('trace');
    } finally {
      await store.close();
    }
  });
});
