import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type RecordedEvent } from '@rapport/event-store';
import { projectionBatches, type ProjectionBatchReport } from '@rapport/read-models';
import { traceProjectionBatches } from './projection-spans';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const APPEND_SPAN = '00f067aa0ba902b7';

function event(position: number, type: string, traced: boolean): RecordedEvent {
  return {
    id: `e-${position}`,
    streamId: 's',
    revision: position,
    position,
    type,
    data: {},
    metadata: traced
      ? { trace: { traceparent: `00-${TRACE_ID}-${APPEND_SPAN}-01` } }
      : { customerId: 'c' },
    recordedAt: '2026-06-01T12:00:00Z',
  } as unknown as RecordedEvent;
}

/** Projection spans, made from the batch reports a projection runner publishes. */
describe('traceProjectionBatches', () => {
  const exporter = new InMemorySpanExporter();
  let stop: () => void;
  beforeAll(() => {
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    stop = traceProjectionBatches();
  });
  afterAll(() => {
    stop();
    trace.disable();
  });
  beforeEach(() => exporter.reset());

  const report = (
    projection: string,
    batch: RecordedEvent[],
    handles?: (e: RecordedEvent) => boolean,
  ) =>
    projectionBatches.publish({
      projection,
      events: batch.length,
      seconds: 0.002,
      batch,
      startedAtMs: Date.now() - 2,
      ...(handles ? { handles } : {}),
    } satisfies ProjectionBatchReport);

  it('a span per traced event the projection acts on, the child of its append span', () => {
    report('timeline', [
      event(1, 'touchpoint.recorded.v1', true),
      event(2, 'touchpoint.recorded.v1', false),
    ]);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['project timeline']);
    expect(spans[0].spanContext().traceId).toBe(TRACE_ID);
    expect(spans[0].parentSpanContext?.spanId).toBe(APPEND_SPAN);
    expect(spans[0].attributes).toMatchObject({ 'rapport.log.position': 1 });
  });

  it('no span where the projection passes the event over (a touchpoint to the ideas backlog)', () => {
    const ideasOnly = (e: RecordedEvent) => e.type.startsWith('idea.');
    report(
      'ideas',
      [event(3, 'touchpoint.recorded.v1', true), event(4, 'idea.submitted.v1', true)],
      ideasOnly,
    );
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.attributes['rapport.log.position']])).toEqual([
      ['project ideas', 4],
    ]);
  });

  it('no span for a batch without any traced event', () => {
    report('closeness', [event(5, 'touchpoint.recorded.v1', false)], () => true);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
