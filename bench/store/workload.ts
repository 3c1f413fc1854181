import { randomUUID } from 'node:crypto';

/** One event of the workload, as both sides get it (Emmett ignores `id`: it makes its own). */
export interface BenchEvent {
  readonly id: string;
  readonly type: string;
  readonly data: {
    readonly channel: string;
    readonly direction: string;
    readonly identity: { readonly kind: string; readonly value: string };
    readonly content: { readonly subject: string; readonly text: string };
    readonly sentiment: number;
    readonly occurredAt: string;
  };
}

/** One append: a batch of events to one stream. */
export interface BenchAppend {
  readonly streamId: string;
  readonly events: readonly BenchEvent[];
}

export interface WorkloadSizes {
  /** Events of the batch-1 phase (one append per event). */
  readonly singleEvents: number;
  /** Events of the batch-100 phase; this log is also the one the catch-up reads. */
  readonly batchEvents: number;
  readonly batchSize: number;
  /** Streams the appends are spread over. */
  readonly streams: number;
}

/** A positive integer from the environment variable `name`, or `fallback` when it is unset. */
export function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name}=${raw}: expected a positive integer`);
  return value;
}

/** Sizes from the environment: BENCH_STORE_SINGLE_EVENTS, BENCH_STORE_EVENTS, BENCH_STORE_STREAMS. */
export function workloadSizes(): WorkloadSizes {
  const batchSize = 100;
  const batchEvents = positiveInteger('BENCH_STORE_EVENTS', 20_000);
  if (batchEvents % batchSize !== 0)
    throw new Error(`BENCH_STORE_EVENTS=${batchEvents}: use a multiple of ${batchSize}`);
  return {
    singleEvents: positiveInteger('BENCH_STORE_SINGLE_EVENTS', 3_000),
    batchEvents,
    batchSize,
    streams: positiveInteger('BENCH_STORE_STREAMS', 1_000),
  };
}

const CHANNELS = ['email', 'chat', 'social', 'in_person'];
/** A prime: append i goes to stream (i · STRIDE) mod streams, a fixed scatter over all streams. */
const STRIDE = 7_919;

function touchpoint(n: number, customer: number): BenchEvent {
  return {
    id: randomUUID(),
    type: 'touchpoint.recorded.v1',
    data: {
      channel: CHANNELS[n % CHANNELS.length],
      direction: n % 3 === 0 ? 'outbound' : 'inbound',
      identity: { kind: 'email', value: `person.${customer}@bench.example` },
      content: {
        subject: 'Order question',
        text: `Hello, this is touchpoint ${n} about my order; could you tell me where it is?`,
      },
      sentiment: ((n % 21) - 10) / 10,
      occurredAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
    },
  };
}

/**
 * `events` events in appends of `batchSize`, each append to one stream `customer-<k>`,
 * with k = (append index · STRIDE) mod `streams`: consecutive appends go to different
 * streams, and a stream comes back only after every other stream had its turn.
 */
export function appends(
  events: number,
  batchSize: number,
  streams: number,
  first = 0,
): BenchAppend[] {
  if (streams % STRIDE === 0)
    throw new Error(`${streams} streams: use a count not divisible by ${STRIDE}`);
  const list: BenchAppend[] = [];
  for (let i = 0; i * batchSize < events; i += 1) {
    const customer = (i * STRIDE) % streams;
    const size = Math.min(batchSize, events - i * batchSize);
    list.push({
      streamId: `customer-${customer}`,
      events: Array.from({ length: size }, (_, j) =>
        touchpoint(first + i * batchSize + j, customer),
      ),
    });
  }
  return list;
}

/** Average JSON size of an event's data, for the header. */
export function averageDataBytes(list: readonly BenchAppend[]): number {
  const all = list.flatMap((a) => a.events);
  const bytes = all.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e.data)), 0);
  return Math.round(bytes / Math.max(1, all.length));
}
