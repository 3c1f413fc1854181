import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { TouchpointPublisher } from '@rapport/adapter-sdk';
import { type ContentMode } from '@rapport/messaging';
import { unlinkKeysStartingWith } from '@rapport/read-models/internals';
import {
  describeWithServices,
  eventually,
  type RunningProcess,
  startService,
  testRedis,
} from '@rapport/testing';
import { Client } from 'pg';
import { e2eAccess } from './e2e-access';
import { ensureE2eTopics, e2eTopics, removeE2eTopics } from './e2e-topics';
import { e2eWorkload } from './workload';

/** A span as an OTLP/HTTP JSON export carries it (ids in hex), with its service. */
interface ReceivedSpan {
  readonly service: string;
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly attributes: Record<string, unknown>;
}

/**
 * A small OTLP/HTTP receiver: what the services' exporters send to `/v1/traces` (JSON, the
 * encoding of @opentelemetry/exporter-trace-otlp-http), kept in `spans`.
 */
async function otlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; server: Server }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') spans.push(...spansOf(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server };
}

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean };
type OtlpAttribute = { key: string; value: OtlpValue };

function spansOf(body: string): ReceivedSpan[] {
  const request = JSON.parse(body) as {
    resourceSpans: {
      resource: { attributes: OtlpAttribute[] };
      scopeSpans: {
        spans: {
          name: string;
          traceId: string;
          spanId: string;
          parentSpanId?: string;
          attributes?: OtlpAttribute[];
        }[];
      }[];
    }[];
  };
  const valueOf = (v: OtlpValue) => v.stringValue ?? v.intValue ?? v.boolValue;
  const record = (attributes: OtlpAttribute[] = []) =>
    Object.fromEntries(attributes.map((a) => [a.key, valueOf(a.value)]));
  return request.resourceSpans.flatMap((rs) =>
    rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => ({
        service: String(record(rs.resource.attributes)['service.name']),
        name: s.name,
        traceId: s.traceId,
        spanId: s.spanId,
        ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
        attributes: record(s.attributes),
      })),
    ),
  );
}

/**
 * One touchpoint, one trace, across processes. The ingestor and the projector run as real
 * child processes (on Kafka, PostgreSQL and Redis) and export OTLP/HTTP to a receiver in
 * this test, rather than in-process with an in-memory exporter: that proves the context
 * really crosses the process boundaries (Kafka, the log), which an in-process test could
 * fake by sharing a context in memory. The adapter side (the SDK's publish) runs in this
 * process with an in-memory exporter, as an adapter with its own OpenTelemetry SDK would.
 */
describeWithServices(
  ['kafka', 'redis', 'postgres'],
  'tracing: one touchpoint, one trace',
  (urls) => {
    jest.setTimeout(180_000);
    const run = `trace${Date.now().toString(36)}`;
    const topics = e2eTopics(`${run}.`);
    const prefix = `rapport:${run}:`;
    const adapterSpans = new InMemorySpanExporter();
    let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
    let ingestor: RunningProcess;
    let projector: RunningProcess;
    let adapterHeaders: Record<string, string>;
    const redis = testRedis(urls.redis);

    beforeAll(async () => {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      trace.setGlobalTracerProvider(
        new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(adapterSpans)] }),
      );
      receiver = await otlpReceiver();
      await ensureE2eTopics(urls.kafka, topics);
      const env: Record<string, string> = {
        RAPPORT_BUS: `${urls.kafka}?topicPrefix=${topics.prefix}`,
        RAPPORT_EVENT_STORE: `${urls.postgres}?schema=${run}`,
        RAPPORT_READ_MODELS: `${urls.redis}/0?prefix=${prefix}`,
        RAPPORT_INGESTOR_GROUP: `${run}-ingestor`,
        RAPPORT_LOG_FORMAT: 'json',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      };
      const access = await e2eAccess(env.RAPPORT_READ_MODELS);
      adapterHeaders = access.adapter;
      Object.assign(env, access.env);
      [ingestor, projector] = await Promise.all([
        startService('ingestor', env),
        startService('projector', env),
      ]);
    });

    afterAll(async () => {
      await Promise.all([ingestor?.stop(), projector?.stop()]);
      trace.disable();
      context.disable();
      receiver?.server.close();
      await unlinkKeysStartingWith(redis, prefix);
      redis.disconnect();
      await removeE2eTopics(urls.kafka, topics);
      const pg = new Client({ connectionString: urls.postgres });
      await pg.connect();
      await pg.query(`DROP SCHEMA IF EXISTS "${run}" CASCADE`);
      await pg.end();
    });

    /** The spans of one trace once the timeline projection's span has arrived. */
    const traceUntilProjected = (traceId: string) =>
      eventually(
        async () => receiver.spans.filter((s) => s.traceId === traceId),
        (spans) => spans.some((s) => s.name === 'project timeline'),
        60_000,
        100,
      );

    const childOf = (spans: readonly ReceivedSpan[], parent: { spanId: string }, name: string) => {
      const found = spans.filter(
        (s) => s.parentSpanId === parent.spanId && s.name.startsWith(name),
      );
      expect(found.map((s) => s.name)).toEqual([expect.stringContaining(name)]);
      return found[0];
    };

    it.each(['structured', 'binary'] as const)(
      '%s mode: publish → ingest → append → projection, one trace across three processes',
      async (mode: ContentMode) => {
        const publisher = new TouchpointPublisher({
          kafkaUrl: urls.kafka,
          topicPrefix: topics.prefix,
          clientId: `${run}-${mode}`,
          source: `e2e/trace-${mode}`,
          mode,
        });
        await publisher.connect();
        const [touchpoint] = e2eWorkload(`${run}-${mode}`, 1, 1);
        adapterSpans.reset();
        await publisher.publish(touchpoint);
        await publisher.disconnect();
        const [publish] = adapterSpans.getFinishedSpans();
        expect(publish.name).toBe(`publish ${topics.prefix}touchpoints.email`);
        const { traceId, spanId } = publish.spanContext();

        const spans = await traceUntilProjected(traceId);
        const ingest = childOf(spans, { spanId }, `ingest ${topics.prefix}touchpoints.`);
        expect(ingest).toMatchObject({ service: 'rapport-ingestor' });
        const append = childOf(spans, ingest, 'append to the log');
        expect(append).toMatchObject({ service: 'rapport-ingestor' });
        const project = childOf(spans, append, 'project timeline');
        expect(project).toMatchObject({ service: 'rapport-projector' });
        // Every projection that applied the event continued the same trace.
        expect(spans.filter((s) => s.name.startsWith('project ')).length).toBeGreaterThanOrEqual(2);
        // No person in any attribute: no identity, no content, no customer or event id.
        const attributes = JSON.stringify(spans.map((s) => s.attributes));
        for (const personal of ['@', 'touchpoint 0', touchpoint.id, 'customer-'])
          expect(attributes).not.toContain(personal);
      },
    );

    it('HTTP: POST /v1/touchpoints continues a traceparent header; an invalid one starts a new trace', async () => {
      const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
      const caller = '1a2b3c4d5e6f7081';
      const post = (id: string, traceparent: string) =>
        fetch(`${ingestor.url}/v1/touchpoints`, {
          method: 'POST',
          headers: {
            ...adapterHeaders,
            'content-type': 'application/cloudevents+json',
            traceparent,
          },
          body: JSON.stringify({
            specversion: '1.0',
            id,
            source: 'e2e/trace-http',
            type: 'touchpoint.recorded.v1',
            time: '2026-03-01T09:00:00Z',
            // a broken extension attribute in the event too: ignored, never a refusal
            traceparent: 'garbage',
            data: {
              channel: 'email',
              direction: 'inbound',
              identity: { kind: 'email', value: `${id}@example.com` },
            },
          }),
        });
      expect((await post(`${run}-http-1`, `00-${traceId}-${caller}-01`)).status).toBe(202);
      const spans = await traceUntilProjected(traceId);
      const server = childOf(spans, { spanId: caller }, 'POST /v1/touchpoints');
      expect(server).toMatchObject({
        service: 'rapport-ingestor',
        attributes: expect.objectContaining({ 'http.route': '/v1/touchpoints' }),
      });
      const append = childOf(spans, server, 'append to the log');
      childOf(spans, append, 'project timeline');

      const invalid = `00-${traceId.toUpperCase()}-${caller}-01`;
      expect((await post(`${run}-http-2`, invalid)).status).toBe(202);
      const fresh = await eventually(
        async () =>
          receiver.spans.filter(
            (s) => s.name === 'POST /v1/touchpoints' && s.traceId !== traceId && !s.parentSpanId,
          ),
        (found) => found.length > 0,
        30_000,
        100,
      );
      expect(fresh).toHaveLength(1);
    });
  },
);
