import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import express from 'express';
import request from 'supertest';
import { serviceLogger } from '../service-logger';
import { traceRequest } from './http-server-spans';
import { currentTracing, startTracing, tracesExportersFrom, tracingEnabled } from './start-tracing';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

/** Spans of this file go to memory, through the same tracer provider a service registers. */
const exporter = new InMemorySpanExporter();

describe('tracing off (the default)', () => {
  it('starts no exporter and registers no tracer provider', () => {
    for (const env of [
      {},
      { OTEL_TRACES_EXPORTER: 'none' },
      { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' },
    ]) {
      const tracing = startTracing('ingestor', env);
      expect(tracing).toMatchObject({ enabled: false, exporters: [] });
    }
    expect(tracingEnabled()).toBe(false);
    const span = trace.getTracer('probe').startSpan('probe');
    expect(span.isRecording()).toBe(false); // the API's no-op
    span.end();
  });

  it('refuses an exporter it does not know rather than tracing nothing silently', () => {
    expect(() => tracesExportersFrom({ OTEL_TRACES_EXPORTER: 'otlp,zipkin' })).toThrow(/zipkin/);
    expect(tracesExportersFrom({ OTEL_TRACES_EXPORTER: ' OTLP , console,otlp' })).toEqual([
      'otlp',
      'console',
    ]);
  });

  it('writes log lines without trace ids', () => {
    const { lines, logger } = capture();
    logger.log('no span here');
    expect(lines[0]).not.toHaveProperty('trace_id');
  });
});

describe('tracing on (OTEL_TRACES_EXPORTER=console, read from memory here)', () => {
  beforeAll(() => {
    jest.spyOn(console, 'dir').mockImplementation(() => undefined); // the console exporter
    startTracing('ingestor', { OTEL_TRACES_EXPORTER: 'console' });
    // The provider the service registered, with an in-memory processor beside its own.
    processorsOf(delegateProvider()).push(new SimpleSpanProcessor(exporter));
  });
  afterAll(async () => {
    await currentTracing().shutdown();
    jest.restoreAllMocks();
  });
  beforeEach(() => exporter.reset());

  it('names the service rapport-<service> unless OTEL_SERVICE_NAME says otherwise', () => {
    const span = trace.getTracer('probe').startSpan('probe');
    span.end();
    const [finished] = exporter.getFinishedSpans();
    expect(finished.resource.attributes['service.name']).toBe('rapport-ingestor');
  });

  it('puts trace_id and span_id on the log lines written in a span', () => {
    const { lines, logger } = capture();
    trace.getTracer('probe').startActiveSpan('work', (span) => {
      logger.log('inside');
      span.end();
    });
    logger.log('outside');
    const { traceId, spanId } = exporter.getFinishedSpans()[0].spanContext();
    expect(lines[0]).toMatchObject({ msg: 'inside', trace_id: traceId, span_id: spanId });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });

  describe('HTTP server spans', () => {
    const app = express();
    app.use(traceRequest);
    app.use(express.json());
    let inHandler: string | undefined;
    app.post('/v1/customers/:id/things', (_req, res) => {
      inHandler = trace.getActiveSpan()?.spanContext().spanId;
      res.status(202).json({ ok: true });
    });

    it('continue a valid traceparent, named by the route template (no ids in names or attributes)', async () => {
      await request(app)
        .post('/v1/customers/cust-secret-42/things')
        .set('traceparent', `00-${TRACE_ID}-${CALLER_SPAN}-01`)
        .send({ a: 1 })
        .expect(202);
      const [span] = exporter.getFinishedSpans();
      expect(span.name).toBe('POST /v1/customers/:id/things');
      expect(span.spanContext().traceId).toBe(TRACE_ID);
      expect(span.parentSpanContext?.spanId).toBe(CALLER_SPAN);
      expect(inHandler).toBe(span.spanContext().spanId); // active after the body was read
      expect(JSON.stringify(span.attributes)).not.toContain('cust-secret-42');
      expect(span.attributes).toMatchObject({
        'http.request.method': 'POST',
        'http.route': '/v1/customers/:id/things',
        'http.response.status_code': 202,
      });
    });

    it.each([
      ['malformed', 'not-a-traceparent'],
      ['all-zero', `00-${'0'.repeat(32)}-${CALLER_SPAN}-01`],
      ['upper-case', `00-${TRACE_ID.toUpperCase()}-${CALLER_SPAN}-01`],
    ])('start a new trace for a %s traceparent, and answer as usual', async (_, value) => {
      await request(app)
        .post('/v1/customers/x/things')
        .set('traceparent', value)
        .send({})
        .expect(202);
      const [span] = exporter.getFinishedSpans();
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.spanContext().traceId).not.toBe(TRACE_ID);
    });
  });
});

// Last: the module-level tracers of the code under test keep the first provider they used.
describe('tracing on', () => {
  it('OTEL_TRACES_EXPORTER=otlp: spans go to an OTLP exporter', async () => {
    const tracing = startTracing('ingestor', { OTEL_TRACES_EXPORTER: 'otlp' });
    expect(tracing).toMatchObject({ enabled: true, exporters: ['otlp'] });
    expect(tracingEnabled()).toBe(true);
    expect(processorsOf(delegateProvider()).map(exporterName)).toEqual(['OTLPTraceExporter']);
    await tracing.shutdown(); // nothing recorded, so nothing sent
    expect(tracingEnabled()).toBe(false);
  });
});

/** A JSON logger writing into `lines`. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: serviceLogger('ingestor', 'json', sink) };
}

function delegateProvider(): NodeTracerProvider {
  return (
    trace.getTracerProvider() as unknown as { getDelegate(): NodeTracerProvider }
  ).getDelegate();
}

/** The span processors of a provider (private in the SDK: read for this test only). */
function processorsOf(provider: NodeTracerProvider): unknown[] {
  return (provider as unknown as { _activeSpanProcessor: { _spanProcessors: unknown[] } })
    ._activeSpanProcessor._spanProcessors;
}

function exporterName(processor: unknown): string {
  return (processor as { _exporter: object })._exporter.constructor.name;
}
