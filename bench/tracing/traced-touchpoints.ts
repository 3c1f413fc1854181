/**
 * One run of `bench:tracing` (started by tracing.bench.ts, one process per run so that each
 * mode is exactly what a service runs: off registers nothing). The ingestor's path for
 * Kafka messages (the transport's `ingestChunk`: decode, trace context, ingest span, the
 * ingestion use case, append span, SQLite log in memory), then the projector's read models
 * (memory backend: timeline, closeness, ideas, annotations) catching up with the log, each
 * phase timed in CPU of this process, the batch span processor flushed within it. Prints
 * one JSON line.
 */
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { currentTracing, startTracing } from '@rapport/api';
import { traceProjectionBatches } from '../../libs/api/src/observability/tracing/projection-spans';
import { TouchpointIngestion } from '@rapport/application';
import { openEventStore } from '@rapport/event-store';
import { encodeStructured } from '@rapport/messaging';
import { openReadModels } from '@rapport/read-models';
import { parseInboundEvent } from '@rapport/wire';
import { identityKey } from '@rapport/domain';
import { type KafkaMessage } from 'kafkajs';
import { KafkaTouchpointTransport } from '../../apps/ingestor/src/kafka/kafka-touchpoint-transport';
import {
  INGEST_BATCH_PATTERN,
  type IngestBatch,
} from '../../apps/ingestor/src/kafka/ingest-batch.pattern';

const WARM_UP = Number(process.env.BENCH_TRACING_WARM_UP ?? 10_000);
const MEASURED = Number(process.env.BENCH_TRACING_TOUCHPOINTS ?? 30_000);
const FETCH = 500; // touchpoints per Kafka batch handed to the transport
const PREFIX = 'bench.';
const TOPIC = `${PREFIX}touchpoints.email`;

function messages(count: number): KafkaMessage[] {
  const start = Date.UTC(2026, 0, 1);
  const now = new Date('2026-06-01T00:00:00Z');
  return Array.from({ length: count }, (_, n) => {
    const parsed = parseInboundEvent(
      {
        specversion: '1.0',
        id: `tracing-bench-${n}`,
        source: 'bench/adapter',
        type: 'touchpoint.recorded.v1',
        time: new Date(start + n * 1000).toISOString(),
        data: {
          channel: 'email',
          direction: n % 3 === 0 ? 'outbound' : 'inbound',
          identity: { kind: 'email', value: `person.${n % 5000}@bench.example` },
          content: { subject: 'Order question', text: `Hello, this is touchpoint ${n}.` },
        },
      },
      { now },
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const encoded = encodeStructured(parsed.value.cloudEvent, identityKey(parsed.value.identity));
    const value = Buffer.from(encoded.value as string | Buffer);
    return {
      key: Buffer.from(String(encoded.key)),
      value,
      headers: encoded.headers ?? {},
      offset: String(n),
      timestamp: String(start),
      attributes: 0,
    } as KafkaMessage;
  });
}

/** Exports what the batch span processor holds; spans it could not export are lost, as in a service (the sink counts what arrived). */
async function flush(): Promise<void> {
  const provider = trace.getTracerProvider() as {
    getDelegate?(): { forceFlush?(): Promise<void> };
  };
  await provider
    .getDelegate?.()
    .forceFlush?.()
    .catch((error: unknown) => console.error(`flush: ${String(error)}`));
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

async function main(): Promise<void> {
  const tracing = startTracing('bench');
  if (tracing.enabled && process.env.BENCH_TRACING_ALS !== '0')
    // A service's first traced HTTP request (a probe) runs a context: from then on Node 20's
    // AsyncLocalStorage follows every promise. Done here as it happens there.
    context.with(ROOT_CONTEXT, () => undefined);
  const stopProjectionSpans = tracing.enabled ? traceProjectionBatches() : () => undefined;

  const store = await openEventStore('sqlite::memory:');
  const ingestion = new TouchpointIngestion(store, { now: () => new Date('2026-06-01T00:00:00Z') });
  const transport = new KafkaTouchpointTransport({
    kafkaUrl: `kafka://127.0.0.1:9092?topicPrefix=${PREFIX}`,
    groupId: 'bench-tracing',
  });
  transport.addHandler(INGEST_BATCH_PATTERN, (batch: IngestBatch) =>
    ingestion.ingest(
      batch.events,
      { channels: [batch.channel], sourcePatterns: ['*'], verifiedKinds: [] },
      batch.parents,
    ),
  );
  const ingestChunk = (
    transport as unknown as {
      ingestChunk(topic: string, partition: number, batch: KafkaMessage[]): Promise<void>;
    }
  ).ingestChunk.bind(transport);

  const all = messages(WARM_UP + MEASURED);
  // Between Kafka batches the event loop turns, as it does in a service waiting on the next
  // fetch: the batch span processor's exports (every 512 spans, or 5 s) go out meanwhile.
  const ingestAll = async (from: number, to: number) => {
    for (let i = from; i < to; i += FETCH) {
      await ingestChunk(TOPIC, 0, all.slice(i, Math.min(to, i + FETCH)));
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await ingestAll(0, WARM_UP);
  await flush();
  const ingestStart = cpuMicros();
  await ingestAll(WARM_UP, WARM_UP + MEASURED);
  await flush();
  const ingestCpu = cpuMicros() - ingestStart;
  if (transport.counters.ingested !== WARM_UP + MEASURED)
    throw new Error(`ingested ${transport.counters.ingested} of ${WARM_UP + MEASURED}`);

  const readModels = openReadModels('memory');
  const head = WARM_UP + MEASURED; // one event per touchpoint, positions from 1
  const projectStart = cpuMicros();
  const running = await Promise.all([
    readModels.startTimelineProjection(store, () => undefined),
    readModels.startClosenessProjection(store, () => undefined),
    readModels.ideas.startProjection(store, () => undefined),
    readModels.annotations.startProjection(store, () => undefined),
  ]);
  await Promise.all(running.map((projection) => projection.waitFor(head, 600_000)));
  await flush();
  const projectCpu = cpuMicros() - projectStart;
  await Promise.all(running.map((projection) => projection.stop()));
  stopProjectionSpans();
  await currentTracing().shutdown();
  await store.close();
  console.log(
    JSON.stringify({
      ingestUs: ingestCpu / MEASURED,
      projectUs: projectCpu / head,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
