/**
 * `node -r @swc-node/register bench/tracing/metrics-calls.ts`: what the metrics calls of the
 * ingest path and the projector cost per touchpoint, in CPU of this process, with nothing else
 * in the measure — a figure `bench:ingest`'s end-to-end runs cannot resolve from their noise.
 *
 * Per batch of BENCH_METRICS_BATCH touchpoints (default 100; the services' batches are
 * usually larger, so this errs high): what the ingestor counts of the batch
 * (`observeIngest`), its timed append to the log (`instrumentAppends`, on a store that
 * returns at once), and one batch report per projection (seven, as in a projector) to
 * the metrics' `diagnostics_channel` subscriber. The same loop without a `RapportMetrics`
 * is the baseline: rounds alternate off and on, and the difference of the medians is printed,
 * in nanoseconds per touchpoint. Nothing is asserted.
 */
import { type EventStore } from '@rapport/event-store';
import { type IngestResult } from '@rapport/application';
import { instrumentAppends, RapportMetrics } from '@rapport/api';
import { projectionBatches, type ProjectionBatchReport } from '@rapport/read-models';

const BATCH = Number(process.env.BENCH_METRICS_BATCH ?? 100);
const TOUCHPOINTS = Number(process.env.BENCH_METRICS_TOUCHPOINTS ?? 200_000);
const ROUNDS = 9; // alternating off and on; the first two of each warm up
const PROJECTIONS = [
  'timeline',
  'closeness',
  'ideas',
  'annotations',
  'identity-resolution',
  'idea-intake',
  'idea-notifier',
];

/** A store whose appends do nothing: only the instrumentation around them is measured. */
function nullStore(): EventStore {
  return {
    append: async () => ({ nextExpectedRevision: 0, positions: [] }),
    appendMany: async () => [],
  } as unknown as EventStore;
}

async function oneRound(metrics: RapportMetrics | undefined): Promise<number> {
  const store = nullStore();
  if (metrics) instrumentAppends(store, metrics, 'sqlite');
  const results: IngestResult[] = Array.from(
    { length: BATCH },
    (_, index) => ({ index, status: 'accepted', position: index }) as unknown as IngestResult,
  );
  const requests = [{ streamId: 's', events: results.map(() => ({})) }] as never;
  const start = process.cpuUsage();
  for (let done = 0; done < TOUCHPOINTS; done += BATCH) {
    await store.appendMany(requests);
    metrics?.observeIngest('kafka', results, () => 'email');
    for (const projection of PROJECTIONS)
      if (projectionBatches.hasSubscribers)
        projectionBatches.publish({
          projection,
          events: BATCH,
          seconds: 0.004,
        } satisfies ProjectionBatchReport);
  }
  const used = process.cpuUsage(start);
  metrics?.onApplicationShutdown();
  return ((used.user + used.system) * 1000) / TOUCHPOINTS;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

async function main(): Promise<void> {
  const off: number[] = [];
  const on: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    off.push(await oneRound(undefined));
    on.push(await oneRound(new RapportMetrics()));
  }
  const offNs = median(off.slice(2));
  const onNs = median(on.slice(2));
  console.log(
    `metrics calls: ${onNs.toFixed(0)} ns per touchpoint on, ${offNs.toFixed(0)} off (+${(onNs - offNs).toFixed(0)} ns; batches of ${BATCH}, ${PROJECTIONS.length} projections)`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
