import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import { SqliteEventStore } from '@rapport/event-store';
import { parseTraceContext } from '@rapport/wire';
import { TouchpointIngestion } from './ingest-touchpoints';

const now = () => new Date('2026-06-01T12:00:00Z');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PRODUCER_SPAN = '00f067aa0ba902b7';

function touchpoint(id: string, extra: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id,
    source: 'adapters/email',
    type: 'touchpoint.recorded.v1',
    time: '2026-05-31T09:30:00Z',
    data: {
      channel: 'email',
      direction: 'inbound',
      identity: { kind: 'email', value: `${id}@example.com` },
      content: { text: 'a private message' },
    },
    ...extra,
  };
}

/** Ingestion's append spans with a real (in-memory) tracer, on a real SQLite log. */
describe('TouchpointIngestion: the append continues each touchpoint’s trace', () => {
  const exporter = new InMemorySpanExporter();
  const contextManager = new AsyncLocalStorageContextManager();
  let store: SqliteEventStore;
  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
  });
  afterAll(() => {
    trace.disable();
    context.disable();
  });
  beforeEach(() => {
    exporter.reset();
    store = new SqliteEventStore({ path: ':memory:' });
  });
  afterEach(() => store.close());

  it('appends under the trace the event carried, keeps it in metadata.trace, and names no person', async () => {
    const ingestion = new TouchpointIngestion(store, { now });
    const [result] = await ingestion.ingest(
      [touchpoint('a', { traceparent: `00-${TRACE_ID}-${PRODUCER_SPAN}-01` })],
      UNRESTRICTED_SCOPE,
    );
    expect(result.status).toBe('accepted');
    const [span] = exporter.getFinishedSpans();
    expect(span.name).toBe('append to the log');
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(span.parentSpanContext?.spanId).toBe(PRODUCER_SPAN);
    const [stored] = await store.readAll({ after: 0, maxCount: 10 });
    const kept = (stored.metadata as { trace: { traceparent: string } }).trace;
    expect(parseTraceContext(kept.traceparent)?.spanId).toBe(span.spanContext().spanId);
    const attributes = JSON.stringify(span.attributes);
    expect(attributes).not.toMatch(/example\.com|private|cust/);
    expect(span.attributes).toMatchObject({
      'rapport.event.type': 'touchpoint.recorded.v1',
      'rapport.ingest.outcome': 'accepted',
    });
  });

  it('an explicit parent (the Kafka ingest span) wins; without any, the active context', async () => {
    const ingestion = new TouchpointIngestion(store, { now });
    const tracer = trace.getTracer('test');
    const ingestSpan = tracer.startSpan('ingest');
    const request = tracer.startSpan('POST /v1/touchpoints');
    await context.with(trace.setSpan(ROOT_CONTEXT, request), () =>
      ingestion.ingest([touchpoint('b'), touchpoint('c')], UNRESTRICTED_SCOPE, [
        trace.setSpan(ROOT_CONTEXT, ingestSpan),
        undefined,
      ]),
    );
    const appends = exporter.getFinishedSpans();
    expect(appends.map((s) => s.parentSpanContext?.spanId)).toEqual([
      ingestSpan.spanContext().spanId,
      request.spanContext().spanId,
    ]);
    expect(appends.every((s) => s.attributes['rapport.append.events'] === 2)).toBe(true);
  });

  it('an invalid trace context is ignored: the touchpoint is accepted under a new trace', async () => {
    const ingestion = new TouchpointIngestion(store, { now });
    const results = await ingestion.ingest(
      [
        touchpoint('d', { traceparent: `00-${'0'.repeat(32)}-${PRODUCER_SPAN}-01` }),
        touchpoint('e', { traceparent: { nested: true }, tracestate: 12 }),
      ],
      UNRESTRICTED_SCOPE,
    );
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.parentSpanContext)).toEqual([undefined, undefined]);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(2);
  });

  it('the same touchpoint published again under another trace is a duplicate', async () => {
    const ingestion = new TouchpointIngestion(store, { now });
    const first = await ingestion.ingest([touchpoint('f')], UNRESTRICTED_SCOPE);
    const again = await ingestion.ingest(
      [touchpoint('f', { traceparent: `00-${TRACE_ID}-${PRODUCER_SPAN}-01` })],
      UNRESTRICTED_SCOPE,
    );
    expect([first[0].status, again[0].status]).toEqual(['accepted', 'duplicate']);
  });
});
