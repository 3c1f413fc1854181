import { type Admin, type Consumer, type Kafka } from 'kafkajs';
import { type PartitionLag } from '@rapport/api';

/** Where the ingestor's consumer stands: `running` once it joined its group. */
export type ConsumerState = 'starting' | 'running' | 'crashed' | 'stopped';

/**
 * Watches the ingestor's Kafka consumer for operations: whether it is running (readiness),
 * and how far the group's committed offsets are behind the end of each partition this
 * consumer is assigned (the `rapport_kafka_consumer_lag` gauge).
 */
export class ConsumerWatch {
  private current: ConsumerState = 'starting';
  private assigned: Record<string, number[]> = {};
  private admin: Admin | null = null;
  private adminReady: Promise<Admin> | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
  ) {}

  get state(): ConsumerState {
    return this.current;
  }

  /** Follows a (new) consumer: its group joins, crashes and stops. */
  attach(consumer: Consumer): void {
    this.current = 'starting';
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assigned = payload.memberAssignment;
      this.current = 'running';
    });
    consumer.on(consumer.events.CRASH, () => {
      this.current = 'crashed';
      this.assigned = {};
    });
    consumer.on(consumer.events.STOP, () => {
      this.current = 'stopped';
      this.assigned = {};
    });
  }

  /** End offset minus committed offset (minus the earliest offset when nothing is committed). */
  async lags(): Promise<PartitionLag[]> {
    const topics = Object.entries(this.assigned).filter(([, partitions]) => partitions.length > 0);
    if (topics.length === 0 || this.current !== 'running') return [];
    const admin = await this.connectedAdmin();
    const committed = await admin.fetchOffsets({
      groupId: this.groupId,
      topics: topics.map(([topic]) => topic),
    });
    const lags: PartitionLag[] = [];
    for (const [topic, partitions] of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const commits = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const partition of partitions) {
        const end = ends.find((e) => e.partition === partition);
        if (!end) continue;
        const offset = Number(commits.find((c) => c.partition === partition)?.offset ?? -1);
        const from = offset >= 0 ? offset : Number(end.low);
        lags.push({ topic, partition, lag: Math.max(0, Number(end.high) - from) });
      }
    }
    return lags;
  }

  async close(): Promise<void> {
    this.current = 'stopped';
    const admin = this.admin;
    this.admin = null;
    this.adminReady = null;
    await admin?.disconnect().catch(() => undefined);
  }

  private connectedAdmin(): Promise<Admin> {
    if (!this.adminReady) {
      const admin = this.kafka.admin();
      this.adminReady = admin.connect().then(
        () => (this.admin = admin),
        (error: unknown) => {
          this.adminReady = null;
          throw error;
        },
      );
    }
    return this.adminReady;
  }
}
