/**
 * One run of `bench:tracing`'s second part (started by tracing.bench.ts): the tracing calls
 * the ingestor makes for one Kafka touchpoint and nothing else, in a loop, in CPU of this
 * process — what the transport does with a decoded event's trace attributes, the ingest span,
 * the append span, the trace kept in the log and both ends. Off, that is only taking the
 * attributes off; sampled at 1 %, 99 in 100 touchpoints are not sampled, so this is mostly
 * what an unsampled touchpoint costs, which the whole-pipeline runs cannot tell from their
 * noise. Prints one JSON line: nanoseconds per touchpoint, the median of the rounds.
 */
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { currentTracing, startTracing } from '@rapport/api';
import {
  endAppendSpan,
  startAppendSpan,
  traceToKeep,
} from '../../libs/application/src/ingestion/append-spans';
import { dropTraceContext, takeTraceContext } from '@rapport/wire';
import { endIngestSpan, startIngestSpan } from '../../apps/ingestor/src/kafka/ingest-spans';

const PER_ROUND = Number(process.env.BENCH_TRACING_CALLS ?? 100_000);
const ROUNDS = 9; // the first two warm up
const TOPIC = 'bench.touchpoints.email';

async function flush(): Promise<void> {
  const provider = trace.getTracerProvider() as {
    getDelegate?(): { forceFlush?(): Promise<void> };
  };
  await provider.getDelegate?.().forceFlush?.();
}

async function main(): Promise<void> {
  const tracing = startTracing('bench');
  // As in a service after its first traced HTTP request (traced-touchpoints.ts).
  if (tracing.enabled) context.with(ROOT_CONTEXT, () => undefined);
  const perTouchpoint: number[] = [];
  let sampled = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < PER_ROUND; i++) {
      // A decoded structured event (the adapter sent no trace context): a fresh object each time.
      const event: Record<string, unknown> = { specversion: '1.0', id: `e${i}`, type: 't' };
      if (!tracing.enabled) {
        dropTraceContext(event);
        continue;
      }
      const carried = takeTraceContext(event);
      const ingest = startIngestSpan(TOPIC, 0, carried, 500);
      const append = startAppendSpan(ingest.context, 'touchpoint.recorded.v1', 500);
      if (traceToKeep(append)) sampled += 1;
      endAppendSpan(append, { index: 0, status: 'accepted', position: i } as never);
      endIngestSpan(ingest.span, 'accepted');
    }
    await flush(); // the sampled ones' spans exported within the round
    const used = process.cpuUsage(start);
    if (round >= 2) perTouchpoint.push(((used.user + used.system) * 1000) / PER_ROUND);
  }
  await currentTracing().shutdown();
  perTouchpoint.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      ns: perTouchpoint[Math.floor(perTouchpoint.length / 2)],
      sampledShare: sampled / (PER_ROUND * ROUNDS),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
