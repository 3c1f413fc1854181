import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type IdeaStatusNotification } from '@rapport/domain';
import { kafkaFromUrl, provisionTopics, removeTopics } from '@rapport/messaging';
import { describeWithServices, eventually } from '@rapport/testing';
import { type IHeaders } from 'kafkajs';
import { KafkaOutboundPublisher } from './outbound-publisher';

describeWithServices(['kafka'], 'outbound notifications carry their trace (real Kafka)', (urls) => {
  jest.setTimeout(60_000);
  const prefix = `outtrace${Date.now().toString(36)}.`;
  const spans = new InMemorySpanExporter();
  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
    );
    await provisionTopics(kafkaFromUrl(urls.kafka, 'outtrace-admin'), prefix);
  });
  afterAll(async () => {
    trace.disable();
    context.disable();
    await removeTopics(kafkaFromUrl(urls.kafka, 'outtrace-admin'), prefix);
  });

  it('a ce_traceparent header with the producer span, a child of the status change’s trace', async () => {
    const publisher = new KafkaOutboundPublisher(`${urls.kafka}?topicPrefix=${prefix}`);
    const notification: IdeaStatusNotification = {
      id: 'n-1',
      customerId: 'c-1',
      channel: 'email',
      identity: { kind: 'email', value: 'ann@example.com' },
      ideaId: 'i-1',
      title: null,
      from: 'under_review',
      to: 'planned',
      subject: 'An idea you support is planned',
      text: 'An idea you support is planned. Thank you for supporting it.',
      at: '2026-03-01T09:00:00.000Z',
    };
    const statusChange = trace.getTracer('test').startSpan('POST /v1/ideas/:id/status');
    await context.with(trace.setSpan(context.active(), statusChange), () =>
      publisher.publish([notification]),
    );
    await publisher.close();
    const [producer] = spans.getFinishedSpans();
    expect(producer.name).toBe(`publish ${prefix}rapport.outbound`);
    expect(producer.parentSpanContext?.spanId).toBe(statusChange.spanContext().spanId);

    const consumer = kafkaFromUrl(urls.kafka, 'outtrace').consumer({ groupId: `${prefix}reader` });
    const headers: IHeaders[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}rapport.outbound`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void headers.push(message.headers ?? {}),
    });
    await eventually(
      async () => headers.length,
      (n) => n > 0,
      30_000,
    );
    await consumer.disconnect();
    const { traceId, spanId } = producer.spanContext();
    expect(String(headers[0].ce_traceparent)).toBe(`00-${traceId}-${spanId}-01`);
    expect(String(headers[0].ce_id)).toBe('n-1');
  });
});
