import { createHash } from 'node:crypto';
import { type Channel, type ChannelIdentity, type FieldError, identityKey } from '@rapport/domain';
import { type InboundEvent, parseInboundEvent, withTraceAttributes } from '@rapport/wire';
import { type Span } from '@opentelemetry/api';
import {
  type ContentMode,
  encodeBinary,
  encodeStructured,
  kafkaFromBrokers,
  kafkaFromUrl,
  type KafkaSecurity,
  parseKafkaBusUrl,
  type TopicNames,
  topicNames,
} from '@rapport/messaging';
import {
  type ICustomPartitioner,
  type Kafka,
  type Message,
  Partitioners,
  type Producer,
  type RecordMetadata,
} from 'kafkajs';
import {
  InvalidTouchpointError,
  isTopicAuthorizationFailure,
  NotAuthorizedError,
  PublishError,
  type RejectedTouchpoint,
} from './publish-errors';
import { endPublishSpans, startPublishSpan } from './publish-spans';
import {
  SURVEY_RESPONDED_V1,
  type TouchpointInput,
  toCloudEventAttributes,
} from './touchpoint-input';

/**
 * Where the publisher's Kafka is: a bus URL (with the adapter's credentials and TLS:
 * `kafka://adapter-email@host:9092?passwordFile=/run/secrets/kafka&tls=true`), a broker
 * list with kafkajs' own `sasl` and `ssl` settings, or a client the caller owns.
 */
export type KafkaTarget =
  | ({ readonly brokers: readonly string[] } & KafkaSecurity)
  | { readonly kafkaUrl: string }
  | { readonly kafka: Kafka };

/**
 * Structured mode (the whole event as one JSON value, `content-type:
 * application/cloudevents+json`) unless an adapter asks for binary mode (attributes in
 * `ce_*` headers). kafkajs encodes and decodes every header of every record in
 * JavaScript: the eight `ce_*` headers cost the publisher about 10 µs per touchpoint and
 * the ingestor about as much again: about 10 % more CPU per touchpoint across the whole
 * pipeline, and 10–25 % of its end-to-end rate (`npm run bench:ingest` prints both modes).
 * The ingestor takes either.
 */
export const DEFAULT_CONTENT_MODE: ContentMode = 'structured';

export type TouchpointPublisherOptions = KafkaTarget & {
  /** The kafkajs client id (unused when a `kafka` client is given). */
  readonly clientId: string;
  /** The CloudEvents `source` of this adapter, e.g. `adapters/email`. */
  readonly source: string;
  /** CloudEvents Kafka content mode; `DEFAULT_CONTENT_MODE` (structured) when not given. */
  readonly mode?: ContentMode;
  /** How often a failed send is retried (exponential backoff) before `PublishError`. */
  readonly retries?: number;
  /** The clock for the "not too far in the future" check. */
  readonly now?: () => Date;
  /** Region for phone numbers without a country code; use the ingestor's setting. */
  readonly defaultPhoneRegion?: string;
  /**
   * Put before every topic name, e.g. `run1.` → `run1.touchpoints.email`, so that test
   * runs can share a broker. Also read from a `kafkaUrl` with `?topicPrefix=`.
   */
  readonly topicPrefix?: string;
};

export interface PublishReceipt {
  /** The touchpoint id (CloudEvents `id`). */
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  /** The Kafka offset, when the broker reported one. */
  readonly offset?: string;
  /**
   * The Kafka key: a hash of the normalised identity (`partitionKeyOf`), so one person's
   * touchpoints share a partition and keep their order, without the identity in the key.
   */
  readonly key: string;
}

/**
 * The partition key of an identity: SHA-256 of its normalised key, 32 hex digits. Keys are
 * shown by brokers, tools and logs that values are not; the adapter holds no secret, so this
 * keeps the address out of sight rather than making it unguessable (the ingestor never keys
 * anything it writes by it — docs/privacy.md).
 */
export function partitionKeyOf(identity: ChannelIdentity): string {
  return createHash('sha256').update(identityKey(identity)).digest('hex').slice(0, 32);
}

const DEFAULT_RETRIES = 8;

interface PreparedMessage {
  readonly id: string;
  readonly topic: string;
  readonly key: string;
  readonly message: Message;
  /** The producer span whose context the message carries (`traceparent`). */
  readonly span: Span;
}

/**
 * The client a channel adapter publishes touchpoints with. Each touchpoint is validated
 * locally exactly as the ingestor will validate it, published as a CloudEvent to
 * `touchpoints.<channel>` (after an optional topic prefix), keyed by the normalised identity so that one person's events
 * stay in order on one partition.
 *
 * The producer is idempotent (no duplicates from its own retries) with acks from all
 * in-sync replicas. A touchpoint published twice by the adapter is still stored once,
 * since the platform deduplicates on source + id.
 */
export class TouchpointPublisher {
  private readonly kafka: Kafka;
  private readonly retries: number;
  private producer: Producer;
  /** Set while a replacement producer connects after a failure; sends wait for it. */
  private reconnecting: Promise<void> | undefined;
  private state: 'new' | 'connected' | 'closed' = 'new';
  private readonly source: string;
  private readonly mode: ContentMode;
  private readonly now: () => Date;
  private readonly defaultPhoneRegion?: string;
  private readonly topics: TopicNames;
  /** The partition kafkajs chose for each message object, read back for the receipts. */
  private readonly partitionOf = new WeakMap<Message, number>();

  constructor(options: TouchpointPublisherOptions) {
    if (!/^\S+$/.test(options.source)) {
      throw new TypeError(`source must be a URI-reference without spaces, got "${options.source}"`);
    }
    const retries = options.retries ?? DEFAULT_RETRIES;
    if (!Number.isInteger(retries) || retries < 1) {
      // kafkajs refuses an idempotent producer that may not retry at all.
      throw new TypeError(`retries must be an integer ≥ 1, got ${retries}`);
    }
    this.source = options.source;
    this.mode = options.mode ?? DEFAULT_CONTENT_MODE;
    this.now = options.now ?? (() => new Date());
    this.defaultPhoneRegion = options.defaultPhoneRegion;

    this.retries = retries;
    this.kafka =
      'kafka' in options
        ? options.kafka
        : 'kafkaUrl' in options
          ? kafkaFromUrl(options.kafkaUrl, options.clientId)
          : kafkaFromBrokers(options.brokers, options.clientId, {
              ...(options.sasl ? { sasl: options.sasl } : {}),
              ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
            });
    const urlPrefix = 'kafkaUrl' in options ? parseKafkaBusUrl(options.kafkaUrl).topicPrefix : '';
    if (
      options.topicPrefix !== undefined &&
      urlPrefix !== '' &&
      urlPrefix !== options.topicPrefix
    ) {
      throw new TypeError(
        `topicPrefix "${options.topicPrefix}" contradicts the URL's topicPrefix "${urlPrefix}"`,
      );
    }
    this.topics = topicNames(options.topicPrefix ?? urlPrefix);
    this.producer = this.createProducer();
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.state = 'connected';
  }

  async disconnect(): Promise<void> {
    this.state = 'closed';
    await this.reconnecting?.catch(() => undefined);
    await this.producer.disconnect();
  }

  /** Validates and publishes one touchpoint; resolves once all in-sync replicas have it. */
  async publish(input: TouchpointInput): Promise<PublishReceipt> {
    const [receipt] = await this.send([input], false);
    return receipt;
  }

  /**
   * Validates every touchpoint first and publishes none if one is invalid; then sends
   * them all in one produce round (one request per broker, whatever the topics).
   * Receipts are in input order.
   */
  async publishBatch(inputs: readonly TouchpointInput[]): Promise<PublishReceipt[]> {
    return this.send(inputs, true);
  }

  private async send(
    inputs: readonly TouchpointInput[],
    batch: boolean,
  ): Promise<PublishReceipt[]> {
    if (!Array.isArray(inputs))
      throw new InvalidTouchpointError(
        [
          {
            index: 0,
            id: '',
            errors: [{ path: '(root)', message: 'publishBatch takes an array of touchpoints' }],
          },
        ],
        false,
      );
    if (inputs.length === 0) return [];
    const prepared = this.prepare(inputs, batch);

    const byTopic = new Map<string, Message[]>();
    for (const p of prepared) {
      const messages = byTopic.get(p.topic) ?? [];
      messages.push(p.message);
      byTopic.set(p.topic, messages);
    }
    const producer = this.producer;
    let metadata: RecordMetadata[];
    try {
      await this.reconnecting;
      metadata = await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error) {
      this.replaceProducer(producer);
      endPublishSpans(prepared, error);
      const ids = prepared.map((p) => p.id);
      if (isTopicAuthorizationFailure(error))
        throw new NotAuthorizedError(ids, [...byTopic.keys()], error);
      throw new PublishError(ids, error);
    }
    const receipts = this.receipts(prepared, metadata);
    endPublishSpans(prepared.map((p, i) => ({ span: p.span, partition: receipts[i].partition })));
    return receipts;
  }

  private createProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      // kafkajs already serialises produce requests per broker for an idempotent producer;
      // its docs ask for maxInFlightRequests 1 with idempotent for exactly-once.
      maxInFlightRequests: 1,
      // kafkajs (idempotent) defaults to retrying forever, so a broker outage would hang
      // publish(). Bounded retries trade that for a PublishError the adapter can act on;
      // duplicates from publishing again are removed downstream on source + id.
      retry: { retries: this.retries, initialRetryTime: 200, multiplier: 2, maxRetryTime: 10_000 },
      createPartitioner: this.recordingPartitioner(),
    });
  }

  /**
   * After a failed send the producer is replaced by a new one (a new producer id).
   * kafkajs rolls its sequence numbers back when a request fails, even if the broker
   * wrote the batch and only the answer was lost; the next, different batch would then
   * reuse those sequence numbers, and the broker could take it for a duplicate and
   * acknowledge it without writing it. A fresh producer id collides with nothing.
   */
  private replaceProducer(failed: Producer): void {
    if (failed !== this.producer || this.state !== 'connected') return;
    const next = this.createProducer();
    this.producer = next;
    this.reconnecting = next.connect().finally(() => {
      if (this.producer === next) this.reconnecting = undefined;
    });
    this.reconnecting.catch(() => undefined); // a failed reconnect surfaces on the next send
    failed.disconnect().catch(() => undefined);
  }

  private prepare(inputs: readonly TouchpointInput[], batch: boolean): PreparedMessage[] {
    const now = this.now();
    const rejected: RejectedTouchpoint[] = [];
    const prepared: PreparedMessage[] = [];
    inputs.forEach((input: unknown, index) => {
      const refuse = (errors: FieldError[]) => rejected.push({ index, id: idOf(input), errors });
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        refuse([{ path: '(root)', message: 'a touchpoint must be an object' }]);
        return;
      }
      try {
        const parsed = parseInboundEvent(
          toCloudEventAttributes(input as TouchpointInput, this.source),
          { now, defaultPhoneRegion: this.defaultPhoneRegion },
        );
        if (!parsed.ok) {
          refuse(parsed.errors);
          return;
        }
        const key = partitionKeyOf(parsed.value.identity);
        const topic = this.topics.touchpoint(channelOf(parsed.value));
        // Publish what was validated: the normalised identity and time, so the ingestor
        // sees exactly what passed here, whatever its own normalisation settings.
        // The trace context travels as the CloudEvents distributed-tracing extension:
        // `ce_traceparent` in binary mode, `traceparent` in the JSON in structured mode.
        const span = startPublishSpan(topic, parsed.value.cloudEvent.type);
        const event = parsed.value.cloudEvent.cloneWith(
          withTraceAttributes({ time: parsed.value.occurredAt }, span.spanContext()),
          false,
        );
        const message =
          this.mode === 'binary' ? encodeBinary(event, key) : encodeStructured(event, key);
        prepared.push({ id: event.id, topic, key, message, span });
      } catch (error) {
        // Input that validation did not foresee (a getter that throws, a symbol where a
        // string goes): refused like invalid input, never a raw TypeError.
        refuse([{ path: '(root)', message: `could not be read: ${errorName(error)}` }]);
      }
    });
    if (rejected.length > 0) {
      const error = new InvalidTouchpointError(rejected, batch);
      endPublishSpans(prepared, error); // nothing of the batch is sent
      throw error;
    }
    return prepared;
  }

  /**
   * kafkajs answers per partition with the offset of the first record it appended; the
   * records of one partition went in one batch in input order, so each one's offset is
   * that base plus its position among them.
   */
  private receipts(prepared: PreparedMessage[], metadata: RecordMetadata[]): PublishReceipt[] {
    const baseOffsets = new Map<string, string>();
    for (const m of metadata) {
      if (m.baseOffset !== undefined)
        baseOffsets.set(`${m.topicName}:${m.partition}`, m.baseOffset);
    }
    const positions = new Map<string, number>();
    return prepared.map(({ id, topic, key, message }) => {
      const partition = this.partitionOf.get(message);
      if (partition === undefined) throw new Error(`no partition was chosen for touchpoint ${id}`);
      const slot = `${topic}:${partition}`;
      const position = positions.get(slot) ?? 0;
      positions.set(slot, position + 1);
      const base = baseOffsets.get(slot);
      const offset = base === undefined ? undefined : (BigInt(base) + BigInt(position)).toString();
      return { id, topic, partition, key, ...(offset === undefined ? {} : { offset }) };
    });
  }

  /**
   * The Java-compatible default partitioner (murmur2 of the key), so other producers of
   * the same keys agree on partitions, wrapped to remember each message's partition.
   */
  private recordingPartitioner(): ICustomPartitioner {
    return () => {
      const partition = Partitioners.DefaultPartitioner();
      return (args) => {
        const chosen = partition(args);
        this.partitionOf.set(args.message, chosen);
        return chosen;
      };
    };
  }
}

function idOf(input: unknown): string {
  try {
    const id = (input as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : '';
  } catch {
    return '';
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'an unreadable value';
}

function channelOf(event: InboundEvent): Channel {
  const data = event.cloudEvent.data as { channel?: Channel };
  // A survey answered in a survey tool has no channel of its own.
  if (event.cloudEvent.type === SURVEY_RESPONDED_V1) return data.channel ?? 'survey';
  return data.channel as Channel;
}
