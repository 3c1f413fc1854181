import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { type Channel, type FieldError } from '@rapport/domain';
import { type IngestResult } from '@rapport/application';
import {
  decodeKafkaMessage,
  dlqMessage,
  kafkaFromBus,
  type KafkaBusUrl,
  parseKafkaBusUrl,
  provisionTopics,
  topicNames,
  type TopicNames,
} from '@rapport/messaging';
import {
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type Message,
  type Producer,
} from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { type RapportMetrics, tracingEnabled } from '@rapport/api';
import { dropTraceContext, takeTraceContext } from '@rapport/wire';
import { type Context, type Span } from '@opentelemetry/api';
import { endIngestSpan, startIngestSpan } from './ingest-spans';
import { ConsumerWatch } from './consumer-watch';
import { lastValueFrom } from 'rxjs';
import { INGEST_BATCH_PATTERN, type IngestBatch } from './ingest-batch.pattern';

export interface KafkaTouchpointTransportOptions {
  readonly kafkaUrl: string;
  readonly groupId: string;
  readonly clientId?: string;
  /** Largest number of messages appended in one durable write. */
  readonly maxAppendBatch?: number;
  /** How many partitions are worked at once (their appends are coalesced). */
  readonly partitionsConcurrently?: number;
  /** Messages larger than this go to the DLQ undecoded. */
  readonly maxMessageBytes?: number;
  /** How long one write to the DLQ may take, retries included, before the batch fails. */
  readonly dlqTimeoutMs?: number;
  /** Told whether the DLQ can be written (for `/health`). */
  readonly health?: DlqHealth;
  /** Told of refusals before validation, dead letters and batch sizes (`/metrics`). */
  readonly metrics?: RapportMetrics;
  /**
   * Encrypts a dead letter that names a person with their data key (`DeadLetterSealer`), so
   * an erasure reaches the DLQ too; dead letters go out as refused without it.
   */
  readonly sealDeadLetter?: (letter: Message) => Promise<Message>;
}

/** What the ingestor last saw of its dead-letter topic. */
export class DlqHealth {
  private failure: { since: string; error: string } | null = null;

  failing(error: unknown, now: Date): void {
    this.failure ??= { since: now.toISOString(), error: '' };
    this.failure.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }

  ok(): void {
    this.failure = null;
  }

  status(): { status: 'ok' } | { status: 'failing'; since: string; error: string } {
    return this.failure ? { status: 'failing', ...this.failure } : { status: 'ok' };
  }
}

export interface IngestorCounters {
  ingested: number;
  duplicates: number;
  /** Of erased people, dropped (not stored, not dead-lettered). */
  suppressed: number;
  deadLettered: number;
  batches: number;
}

/**
 * A Nest transport strategy that consumes `touchpoints.<channel>` in a consumer group.
 * Unlike the built-in Kafka transport it works a whole fetched batch at a time and commits
 * a partition's offset only after every message up to it is durable: appended to the log,
 * or (when invalid) written to `touchpoints.dlq` with its original bytes and the reasons.
 */
export class KafkaTouchpointTransport extends Server implements CustomTransportStrategy {
  private readonly log = new Logger('ingestor');
  private consumer: Consumer | null = null;
  private closing = false;
  /** The pause before starting a crashed consumer again; doubles, reset by a good batch. */
  private restartPauseMs = 1000;
  /** How often a crashed consumer was started again (tests read it). */
  consumerRestarts = 0;
  private producer: Producer | null = null;
  readonly counters: IngestorCounters = {
    ingested: 0,
    duplicates: 0,
    suppressed: 0,
    deadLettered: 0,
    batches: 0,
  };
  private readonly topics: TopicNames;
  private readonly bus: KafkaBusUrl;
  /** The consumer's state and lag, for readiness and `/metrics` (set once listening). */
  watch: ConsumerWatch | null = null;

  constructor(private readonly options: KafkaTouchpointTransportOptions) {
    super();
    this.bus = parseKafkaBusUrl(options.kafkaUrl);
    this.topics = topicNames(this.bus.topicPrefix);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const kafka = kafkaFromBus(this.bus, this.options.clientId ?? 'rapport-ingestor');
      this.watch = new ConsumerWatch(kafka, this.options.groupId);
      await provisionTopics(kafka, this.topics.prefix);
      // Bounded retries: a DLQ that cannot be written fails the batch within seconds (its
      // offsets stay unresolved, so nothing is lost) instead of holding it past the session
      // timeout without heartbeats.
      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
      });
      this.producer = producer;
      await producer.connect();
      await this.startConsumer(kafka);
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /**
   * A consumer in the group, working batches until closed. kafkajs retries a failed batch
   * and restarts a consumer that crashed on a retriable error (or ran out of retries), but
   * one that crashed on a non-retriable error stays stopped (CRASH with restart: false), and
   * would sit idle while the process looks healthy. That one is started again here, after a
   * pause that doubles up to 30 s and resets once a batch succeeds. Nothing is lost
   * meanwhile: offsets move only past durable messages.
   */
  private async startConsumer(kafka: Kafka): Promise<void> {
    const consumer = kafka.consumer({
      groupId: this.options.groupId,
      maxBytesPerPartition: 8 * 1024 * 1024,
      // The broker answers a fetch once it holds 128 KiB for it (a few hundred touchpoints)
      // or after 100 ms: under moderate load, fewer fetches and fewer, larger durable
      // appends; a backlog fills a fetch at once. With nothing to consume, that is an empty
      // fetch of every touchpoint partition each 100 ms: about 1.5 % of a core on the broker
      // and 2 % in this process (at 20 ms, 5-10 % and 6 %). A touchpoint arriving alone
      // waits for the 100 ms to end, about 55 ms on average (ADR 0057).
      minBytes: 128 * 1024,
      maxWaitTimeInMs: 100,
    });
    this.consumer = consumer;
    this.watch?.attach(consumer);
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.closing || this.consumer !== consumer) return;
      const pauseMs = this.restartPauseMs;
      this.restartPauseMs = Math.min(2 * pauseMs, 30_000);
      this.log.error(
        `the Kafka consumer stopped (${payload.error.name}: ${payload.error.message}); starting it again in ${pauseMs} ms`,
      );
      this.consumerRestarts += 1;
      setTimeout(() => {
        if (this.closing) return;
        this.startConsumer(kafka).catch((error: unknown) =>
          this.log.error(`the Kafka consumer did not start again: ${String(error)}`),
        );
      }, pauseMs);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.topics.touchpoints], fromBeginning: true });
    await consumer.run({
      // kafkajs commits only offsets we resolved, and we resolve an offset only once the
      // message is in the log or on the DLQ; committing about once a second instead of
      // after every batch saves a broker round trip per partition batch. A crash
      // redelivers at most that second, which idempotent appends absorb.
      autoCommit: true,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      // Several partitions at once; their appends share one durable write (group commit).
      partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 8,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    await this.watch?.close();
  }

  on(): never {
    throw new Error('KafkaTouchpointTransport has no events to listen to');
  }

  unwrap<T>(): T {
    return { consumer: this.consumer, producer: this.producer } as T;
  }

  private async handleBatch({
    batch,
    heartbeat,
    isRunning,
    isStale,
    resolveOffset,
    commitOffsetsIfNecessary,
  }: EachBatchPayload): Promise<void> {
    const size = this.options.maxAppendBatch ?? 2000;
    for (let start = 0; start < batch.messages.length; start += size) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(start, start + size);
      await this.ingestChunk(batch.topic, batch.partition, chunk);
      const last = chunk[chunk.length - 1].offset;
      // Only now: every message up to `last` is in the log or on the DLQ.
      resolveOffset(last);
      this.restartPauseMs = 1000;
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  private async ingestChunk(
    topic: string,
    partition: number,
    messages: KafkaMessage[],
  ): Promise<void> {
    const maxBytes = this.options.maxMessageBytes ?? 1024 * 1024;
    const now = new Date();
    // Dead letters keep the order of their offsets, whichever step refused them.
    const dead = new Map<KafkaMessage, Message>();
    const refuse = (message: KafkaMessage, reasons: FieldError[] | string) =>
      dead.set(message, dlqMessage({ ...message, topic, partition }, reasons, now));
    const channelOfTopic = topic.slice(`${this.topics.prefix}touchpoints.`.length);
    const metrics = this.options.metrics;
    const toIngest: { message: KafkaMessage; event: unknown; span?: Span; context?: Context }[] =
      [];
    const traced = tracingEnabled();
    for (const message of messages) {
      if (message.value && message.value.length > maxBytes) {
        refuse(
          message,
          `the message is ${message.value.length} bytes; the ingestor accepts at most ${maxBytes}`,
        );
        metrics?.refuse('kafka', channelOfTopic, 'oversized');
        continue;
      }
      try {
        const decoded = decodeKafkaMessage(message);
        if (decoded.ok) {
          // Taken off in any case (validation refuses extension attributes); read if traced.
          const carried = traced
            ? takeTraceContext(decoded.event)
            : dropTraceContext(decoded.event);
          toIngest.push({
            message,
            event: decoded.event,
            ...(traced ? startIngestSpan(topic, partition, carried, messages.length) : {}),
          });
        } else {
          refuse(message, decoded.reason);
          metrics?.refuse('kafka', channelOfTopic, 'undecodable');
        }
      } catch (error) {
        const reference = randomUUID();
        this.log.error(
          `unexpected error decoding ${topic}[${partition}]@${message.offset} (${reference}): ${stackOf(error)}`,
        );
        refuse(
          message,
          `the message could not be decoded: an internal error, logged as ${reference}`,
        );
        metrics?.refuse('kafka', channelOfTopic, 'undecodable');
      }
    }

    if (toIngest.length > 0) {
      const channel = topic.slice(`${this.topics.prefix}touchpoints.`.length) as Channel;
      let results: IngestResult[];
      try {
        results = await this.dispatch(
          toIngest.map((m) => m.event),
          channel,
          traced ? toIngest.map((m) => m.context) : undefined,
        );
      } catch (error) {
        for (const { span } of toIngest) if (span) endIngestSpan(span, 'failed');
        throw error;
      }
      results.forEach((result, i) => {
        switch (result.status) {
          case 'accepted':
            this.counters.ingested += 1;
            break;
          case 'duplicate':
            this.counters.duplicates += 1;
            break;
          case 'suppressed':
            this.counters.suppressed += 1;
            break;
          case 'rejected':
            refuse(toIngest[i].message, result.errors);
            break;
          case 'conflict':
          case 'failed':
            refuse(toIngest[i].message, result.message);
            break;
        }
        const span = toIngest[i].span;
        if (span)
          endIngestSpan(span, dead.has(toIngest[i].message) ? 'dead-lettered' : result.status);
      });
    }
    if (dead.size > 0) {
      const inOrder = messages.filter((m) => dead.has(m)).map((m) => dead.get(m) as Message);
      await this.sendToDlq(inOrder, `${topic}[${partition}]`);
      this.counters.deadLettered += inOrder.length;
      metrics?.dlqMessages.inc({ channel: channelOfTopic }, inOrder.length);
      this.log.warn(
        `${inOrder.length} message(s) from ${topic}[${partition}] sent to ${this.topics.dlq}`,
      );
    }
    this.counters.batches += 1;
  }

  /**
   * Writes dead letters, or throws within `dlqTimeoutMs`: then the batch fails before its
   * offsets are resolved, kafkajs delivers it again, and `/health` says the DLQ is failing.
   */
  private async sendToDlq(messages: Message[], from: string): Promise<void> {
    const timeoutMs = this.options.dlqTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const producer = this.producer;
      if (!producer) throw new Error('the DLQ producer is not connected');
      const seal = this.options.sealDeadLetter;
      if (seal) messages = await Promise.all(messages.map(seal));
      await Promise.race([
        producer.send({ topic: this.topics.dlq, acks: -1, timeout: timeoutMs, messages }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`writing to ${this.topics.dlq} took more than ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
      this.options.health?.ok();
    } catch (error) {
      this.options.health?.failing(error, new Date());
      this.options.metrics?.dlqFailures.inc();
      this.log.error(
        `could not write ${messages.length} dead letter(s) from ${from} to ${this.topics.dlq}; ` +
          `their offsets stay unresolved and the batch is retried: ${stackOf(error)}`,
      );
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async dispatch(
    events: unknown[],
    channel: Channel,
    parents: (Context | undefined)[] | undefined,
  ): Promise<IngestResult[]> {
    const handler = this.getHandlerByPattern(INGEST_BATCH_PATTERN);
    if (!handler)
      throw new Error(
        `no handler for ${INGEST_BATCH_PATTERN}: is TouchpointBatchesController registered?`,
      );
    return lastValueFrom(
      this.transformToObservable(
        await handler({ events, channel, ...(parents ? { parents } : {}) } satisfies IngestBatch),
      ),
    );
  }
}

function stackOf(error: unknown): string {
  return error instanceof Error
    ? (error.stack ?? `${error.name}: ${error.message}`)
    : String(error);
}
