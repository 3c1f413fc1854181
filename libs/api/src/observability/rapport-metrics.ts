import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { type OnApplicationShutdown } from '@nestjs/common';
import {
  IDENTITY_DECISIONS_CHANNEL,
  type IdentityDecisionsReport,
  type IngestResult,
  NOTIFIER_SENDS_CHANNEL,
  type NotifierSendsReport,
} from '@rapport/application';
import { IdentityGraphEventTypes, isChannel } from '@rapport/domain';
import { PROJECTION_BATCH_CHANNEL, type ProjectionBatchReport } from '@rapport/read-models';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { within } from './readiness';

/** The lag of one partition a consumer is assigned: end offset minus committed offset. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/** How a touchpoint came in: the label `transport`. */
export type IngestTransport = 'http' | 'kafka';

/**
 * Why a touchpoint was refused — the label `reason`, a fixed set: `invalid` (not a valid
 * touchpoint, or outside the publisher's scope), `conflict` (same source and id, other
 * content), `failed` (an unexpected error), `oversized` and `undecodable` (Kafka messages
 * refused before validation).
 */
export type RefusalReason = 'invalid' | 'conflict' | 'failed' | 'oversized' | 'undecodable';

/** Latency buckets (seconds) for requests, appends and projection batches: 1 ms … 10 s. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Batch-size buckets (events): 1 … 5000. */
const BATCH_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

/**
 * The Prometheus metrics of one service process, in a registry of its own (several apps in
 * one test process do not share one). Labels are bounded sets only: route templates, status
 * codes, channels, reasons, projection and store names — never a customer, an identity or
 * an event id. What the libraries report through `diagnostics_channel` (projection batches,
 * identity decisions, notifier sends) is subscribed here; scrape-time values (log head,
 * projection lag, Kafka lag) come from the sources the service registers.
 */
export class RapportMetrics implements OnApplicationShutdown {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'rapport_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'rapport_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to the end of its answer',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly ingested = new Counter({
    name: 'rapport_ingest_touchpoints_total',
    help: 'Touchpoints the ingestion handled, by transport, channel and outcome (accepted, duplicate, refused, or another status such as suppressed)',
    labelNames: ['transport', 'channel', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly refused = new Counter({
    name: 'rapport_ingest_refused_total',
    help: 'Touchpoints refused, by transport, channel and reason (invalid, conflict, failed, oversized, undecodable)',
    labelNames: ['transport', 'channel', 'reason'] as const,
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: 'rapport_ingest_batch_size',
    help: 'Touchpoints per ingested batch (an HTTP request, a Kafka chunk)',
    labelNames: ['transport'] as const,
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });

  readonly dlqMessages = new Counter({
    name: 'rapport_ingest_dlq_messages_total',
    help: 'Messages written to the dead-letter topic, by the channel of the topic they came from',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });

  readonly dlqFailures = new Counter({
    name: 'rapport_ingest_dlq_write_failures_total',
    help: 'Writes to the dead-letter topic that failed (the batch is retried)',
    registers: [this.registry],
  });

  readonly appendDuration = new Histogram({
    name: 'rapport_event_store_append_duration_seconds',
    help: 'Time of one durable write to the event log, by store',
    labelNames: ['store', 'operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly appendedEvents = new Counter({
    name: 'rapport_event_store_appended_events_total',
    help: 'Events handed to the event log in appends, by store',
    labelNames: ['store'] as const,
    registers: [this.registry],
  });

  readonly appendErrors = new Counter({
    name: 'rapport_event_store_append_errors_total',
    help: 'Appends the event log refused as a whole or failed, by store',
    labelNames: ['store'] as const,
    registers: [this.registry],
  });

  readonly projectionBatchDuration = new Histogram({
    name: 'rapport_projection_batch_duration_seconds',
    help: 'Time to apply one batch of log events to a projection',
    labelNames: ['projection'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly projectionEvents = new Counter({
    name: 'rapport_projection_events_total',
    help: 'Log events applied by a projection (every event of its batches)',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly identityDecisions = new Counter({
    name: 'rapport_identity_decisions_total',
    help: 'Identity decisions recorded by identity resolution, by kind (the event type)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly notifierSends = new Counter({
    name: 'rapport_notifier_sends_total',
    help: 'Idea status notifications published to rapport.outbound',
    registers: [this.registry],
  });

  private readonly subscriptions: [string, (message: unknown) => void][] = [];
  private consumerLag: (() => Promise<readonly PartitionLag[]>) | null = null;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const source = () => this.consumerLag;
    new Gauge({
      name: 'rapport_kafka_consumer_lag',
      help: 'Messages of a partition this consumer is assigned that the group has not committed yet',
      labelNames: ['topic', 'partition'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        // Kafka down: no lag samples (within 2 s), rather than a scrape that hangs.
        const lags = await within(2000, 'Kafka', source()?.() ?? Promise.resolve([])).catch(
          () => [],
        );
        for (const { topic, partition, lag } of lags ?? [])
          this.set({ topic, partition: String(partition) }, lag);
      },
    });
    this.listen(PROJECTION_BATCH_CHANNEL, (m: ProjectionBatchReport) => {
      this.projectionBatchDuration.observe({ projection: m.projection }, m.seconds);
      this.projectionEvents.inc({ projection: m.projection }, m.events);
    });
    this.listen(IDENTITY_DECISIONS_CHANNEL, (m: IdentityDecisionsReport) => {
      for (const kind of m.types) this.identityDecisions.inc({ kind: decisionKind(kind) });
    });
    this.listen(NOTIFIER_SENDS_CHANNEL, (m: NotifierSendsReport) => this.notifierSends.inc(m.sent));
  }

  /**
   * Counts what ingestion made of a batch. `channelOf(i)` names the channel of input `i`
   * (the topic's on Kafka; over HTTP the event's own claim, `unknown` unless a known channel).
   */
  observeIngest(
    transport: IngestTransport,
    results: readonly IngestResult[],
    channelOf: (index: number) => string,
  ): void {
    this.batchSize.observe({ transport }, results.length);
    // Counted per batch, one increment per channel and outcome (a label lookup costs more
    // than the addition).
    const counts = new Map<string, { channel: string; status: string; n: number }>();
    for (const result of results) {
      const channel = channelOf(result.index);
      const status = result.status as string;
      const key = `${channel}\u0000${status}`;
      const count = counts.get(key);
      if (count) count.n += 1;
      else counts.set(key, { channel, status, n: 1 });
    }
    for (const { channel, status, n } of counts.values()) {
      const reason: RefusalReason | undefined =
        status === 'rejected'
          ? 'invalid'
          : status === 'conflict' || status === 'failed'
            ? status
            : undefined;
      if (reason) this.refuse(transport, channel, reason, n);
      else this.ingested.inc({ transport, channel, outcome: status }, n);
    }
  }

  /** Where the Kafka consumer's lag per assigned partition comes from, read at each scrape. */
  watchConsumerLag(source: () => Promise<readonly PartitionLag[]>): void {
    this.consumerLag = source;
  }

  /** One touchpoint refused before the ingestion saw it (Kafka: oversized, undecodable). */
  refuse(transport: IngestTransport, channel: string, reason: RefusalReason, count = 1): void {
    this.ingested.inc({ transport, channel, outcome: 'refused' }, count);
    this.refused.inc({ transport, channel, reason }, count);
  }

  onApplicationShutdown(): void {
    for (const [name, listener] of this.subscriptions.splice(0)) unsubscribe(name, listener);
  }

  private listen<M>(name: string, handle: (message: M) => void): void {
    const listener = (message: unknown) => handle(message as M);
    subscribe(name, listener);
    this.subscriptions.push([name, listener]);
  }
}

/** The channel an HTTP input claims, as a bounded label: a known channel or `unknown`. */
export function claimedChannel(input: unknown): string {
  const data = (input as { data?: { channel?: unknown } } | null)?.data;
  const channel = typeof data === 'object' && data !== null ? data.channel : undefined;
  return isChannel(channel) ? channel : 'unknown';
}

const DECISION_KINDS: ReadonlySet<string> = new Set(Object.values(IdentityGraphEventTypes));

/** Decision event types are a fixed set of the domain; anything else is folded into `other`. */
function decisionKind(type: string): string {
  return DECISION_KINDS.has(type) ? type : 'other';
}
