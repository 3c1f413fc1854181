import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type ContentMode, decodeKafkaMessage } from '@rapport/messaging';
import { parseInboundEvent, takeTraceContext } from '@rapport/wire';
import {
  type ICustomPartitioner,
  type Kafka,
  type Message,
  type ProducerBatch,
  type ProducerConfig,
  type RecordMetadata,
} from 'kafkajs';
import { type TouchpointInput } from './touchpoint-input';
import { TouchpointPublisher } from './touchpoint-publisher';

/** Records what would be sent; partitions as kafkajs does, so receipts can be made. */
function standInKafka(sent: Message[]): Kafka {
  return {
    producer: (config: ProducerConfig) => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      sendBatch: async ({ topicMessages = [] }: ProducerBatch): Promise<RecordMetadata[]> => {
        const partitioner = (config.createPartitioner as ICustomPartitioner)();
        const partitionMetadata = [
          { partitionId: 0, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] },
        ];
        return topicMessages.flatMap(({ topic, messages }) =>
          messages.map((message) => {
            sent.push(message);
            const partition = partitioner({ topic, partitionMetadata, message });
            return { topicName: topic, partition, errorCode: 0, baseOffset: '0' };
          }),
        );
      },
    }),
  } as unknown as Kafka;
}

const touchpoint = (id: string): TouchpointInput =>
  ({
    id,
    time: new Date('2026-03-01T09:00:00Z'),
    data: {
      channel: 'email',
      direction: 'inbound',
      identity: { kind: 'email', value: 'ann@example.com' },
      content: { text: 'hello' },
    },
  }) as TouchpointInput;

async function publishOne(mode: ContentMode, id: string): Promise<Message> {
  const sent: Message[] = [];
  const publisher = new TouchpointPublisher({
    kafka: standInKafka(sent),
    clientId: 'carrier-unit',
    source: 'adapters/email',
    mode,
    now: () => new Date('2026-03-10T12:00:00Z'),
  });
  await publisher.connect();
  await publisher.publish(touchpoint(id));
  return sent[0];
}

const header = (message: Message, name: string) => message.headers?.[name]?.toString();

describe('the trace context carrier, without an OpenTelemetry SDK in the adapter', () => {
  it.each(['binary', 'structured'] as const)('%s mode sends no trace context', async (mode) => {
    const message = await publishOne(mode, `off-${mode}`);
    expect(header(message, 'ce_traceparent')).toBeUndefined();
    expect(JSON.parse(String(message.value))).not.toHaveProperty('traceparent');
  });
});

describe('the trace context carrier (CloudEvents distributed-tracing extension)', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
  });
  afterAll(() => {
    trace.disable();
    context.disable();
  });
  beforeEach(() => exporter.reset());

  /** What the ingestor takes from the record: the trace context, and a valid touchpoint. */
  function received(message: Message) {
    const decoded = decodeKafkaMessage({
      key: null,
      value: Buffer.from(String(message.value)),
      headers: Object.fromEntries(
        Object.entries(message.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))]),
      ),
    });
    if (!decoded.ok) throw new Error(decoded.reason);
    const carried = takeTraceContext(decoded.event);
    const parsed = parseInboundEvent(decoded.event, { now: new Date('2026-03-10T12:00:00Z') });
    return { carried, valid: parsed.ok, mode: decoded.mode };
  }

  it('binary mode: the producer span’s context in a ce_traceparent header', async () => {
    const message = await publishOne('binary', 'bin-1');
    const [span] = exporter.getFinishedSpans();
    const { traceId, spanId } = span.spanContext();
    expect(header(message, 'ce_traceparent')).toBe(`00-${traceId}-${spanId}-01`);
    expect(received(message)).toMatchObject({
      carried: { traceId, spanId },
      valid: true,
      mode: 'binary',
    });
  });

  it('structured mode: the producer span’s context as an attribute in the JSON', async () => {
    const message = await publishOne('structured', 'str-1');
    const [span] = exporter.getFinishedSpans();
    const { traceId, spanId } = span.spanContext();
    expect(header(message, 'ce_traceparent')).toBeUndefined();
    expect(JSON.parse(String(message.value))).toMatchObject({
      traceparent: `00-${traceId}-${spanId}-01`,
    });
    expect(received(message)).toMatchObject({
      carried: { traceId, spanId },
      valid: true,
      mode: 'structured',
    });
  });

  it('the producer span continues the adapter’s active span and names no person', async () => {
    const adapterSpan = trace.getTracer('adapter').startSpan('handle mail');
    await context.with(trace.setSpan(context.active(), adapterSpan), () =>
      publishOne('structured', 'child-1'),
    );
    const [span] = exporter.getFinishedSpans();
    expect(span.name).toBe('publish touchpoints.email');
    expect(span.parentSpanContext?.spanId).toBe(adapterSpan.spanContext().spanId);
    expect(span.attributes).toEqual({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'touchpoints.email',
      'messaging.destination.partition.id': expect.any(String),
      'cloudevents.event_type': 'touchpoint.recorded.v1',
    });
  });
});
