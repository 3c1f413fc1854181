import {
  IDEA_NOTIFICATION_SOURCE,
  IDEA_NOTIFICATION_TYPE,
  type IdeaStatusNotification,
} from '@rapport/domain';
import { encodeBinary, kafkaFromBus, parseKafkaBusUrl, topicNames } from '@rapport/messaging';
import { type Producer } from 'kafkajs';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { withTraceAttributes } from '@rapport/wire';

const tracer = trace.getTracer('@rapport/idea-notifier');

/** Where notifications to customers go, for channel adapters to deliver. */
export interface OutboundPublisher {
  /** Resolves once every notification is durably accepted (throws otherwise). */
  publish(notifications: readonly IdeaStatusNotification[]): Promise<void>;
  close(): Promise<void>;
}

/** The CloudEvent a notification travels as (its id is the notification id). */
export function notificationCloudEvent(
  n: IdeaStatusNotification,
  /** What the event carries: the notification, or its sealed form. */
  data: object = n,
) {
  return {
    specversion: '1.0' as const,
    id: n.id,
    source: IDEA_NOTIFICATION_SOURCE,
    type: IDEA_NOTIFICATION_TYPE,
    time: n.at,
    subject: n.customerId,
    datacontenttype: 'application/json',
    data,
  };
}

/**
 * Publishes to `rapport.outbound` (under the bus URL's topic prefix) as binary-mode
 * CloudEvents, keyed by customer id, with an idempotent producer and acks from all
 * in-sync replicas.
 */
export class KafkaOutboundPublisher implements OutboundPublisher {
  readonly topic: string;
  private readonly producer: Producer;
  private connected: Promise<void> | null = null;

  constructor(
    busUrl: string,
    clientId = 'rapport-idea-notifier',
    /**
     * Turns a notification into what the topic carries: with personal data protection, its
     * address and words sealed with the customer's data key (`sealNotification`).
     */
    private readonly seal?: (n: IdeaStatusNotification) => Promise<object>,
  ) {
    const bus = parseKafkaBusUrl(busUrl);
    this.topic = topicNames(bus.topicPrefix).outbound;
    this.producer = kafkaFromBus(bus, clientId).producer({
      idempotent: true,
      maxInFlightRequests: 1,
    });
  }

  async publish(notifications: readonly IdeaStatusNotification[]): Promise<void> {
    if (notifications.length === 0) return;
    this.connected ??= this.producer.connect();
    await this.connected;
    const seal = this.seal;
    const payloads = seal ? await Promise.all(notifications.map((n) => seal(n))) : notifications;
    // One producer span for the send; each message carries its context (`ce_traceparent`),
    // so the adapter that delivers a notification can continue the trace.
    const span = tracer.startSpan(`publish ${this.topic}`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': this.topic,
        'messaging.batch.message_count': notifications.length,
      },
    });
    try {
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: notifications.map((n, i) =>
          encodeBinary(
            withTraceAttributes(notificationCloudEvent(n, payloads[i]), span.spanContext()),
            n.customerId,
          ),
        ),
      });
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'publish failed' });
      throw error;
    } finally {
      span.end();
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
  }
}

/** Keeps notifications in memory (the embedded `inproc` bus has no adapters listening). */
export class MemoryOutboundPublisher implements OutboundPublisher {
  readonly sent: IdeaStatusNotification[] = [];
  async publish(notifications: readonly IdeaStatusNotification[]): Promise<void> {
    this.sent.push(...notifications);
  }
  async close(): Promise<void> {}
}
