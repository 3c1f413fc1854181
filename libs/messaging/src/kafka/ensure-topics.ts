import { type Admin, type Kafka } from 'kafkajs';
import { loadTopicDefinitions, type TopicDefinition } from './topic-definitions';

export interface TopicPartitionMismatch {
  readonly topic: string;
  readonly expected: number;
  readonly actual: number;
}

export interface EnsureTopicsResult {
  /** Topics this call created. */
  readonly created: string[];
  /** Topics that were there already (left as they are). */
  readonly existing: string[];
  /** Existing topics whose partition count differs from the definition. */
  readonly partitionMismatches: TopicPartitionMismatch[];
}

/**
 * Creates the topics that do not exist yet, with their partitions and configs, and waits
 * for their leaders. Idempotent: existing topics are never changed. In particular
 * partitions are not added to an existing topic, because that remaps keys to partitions
 * and breaks per-identity ordering while old and new partitions drain; a mismatch is
 * reported for an operator to decide.
 */
export async function ensureTopics(
  kafka: Kafka,
  definitions: readonly TopicDefinition[],
  options: { readonly timeoutMs?: number } = {},
): Promise<EnsureTopicsResult> {
  const names = definitions.map((d) => d.topic);
  if (new Set(names).size !== names.length) {
    throw new Error(`ensureTopics: a topic is defined twice in ${names.join(', ')}`);
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const missing = definitions.filter((d) => !present.has(d.topic));
    const existing = definitions.filter((d) => present.has(d.topic));

    if (missing.length > 0) {
      const timeoutMs = options.timeoutMs ?? 30_000;
      // Resolves false instead of failing when another process created them meanwhile.
      await admin.createTopics({
        waitForLeaders: false, // see waitForLeaders below
        timeout: timeoutMs,
        topics: missing.map((d) => ({
          topic: d.topic,
          numPartitions: d.partitions,
          replicationFactor: d.replicationFactor ?? -1, // -1: the broker's default
          configEntries: Object.entries(d.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
      await waitForLeaders(
        admin,
        missing.map((d) => d.topic),
        Date.now() + timeoutMs,
      );
    }

    const partitionMismatches: TopicPartitionMismatch[] = [];
    if (existing.length > 0) {
      const { topics } = await admin.fetchTopicMetadata({ topics: existing.map((d) => d.topic) });
      const actual = new Map(topics.map((t) => [t.name, t.partitions.length]));
      for (const d of existing) {
        const count = actual.get(d.topic) ?? 0;
        if (count !== d.partitions) {
          partitionMismatches.push({ topic: d.topic, expected: d.partitions, actual: count });
        }
      }
    }
    return {
      created: missing.map((d) => d.topic),
      existing: existing.map((d) => d.topic),
      partitionMismatches,
    };
  } finally {
    await admin.disconnect();
  }
}

const SETTLING_ERRORS = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Polls metadata until every partition of the new topics has a leader. kafkajs' own
 * `waitForLeaders` only tolerates LEADER_NOT_AVAILABLE, but a KRaft broker answers
 * UNKNOWN_TOPIC_OR_PARTITION for a moment after creating a topic, which made it fail.
 */
async function waitForLeaders(admin: Admin, topics: string[], deadline: number): Promise<void> {
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      const settled = metadata.every(
        (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
      );
      if (settled && metadata.length === topics.length) return;
    } catch (error) {
      if (!SETTLING_ERRORS.has((error as { type?: string }).type ?? '')) throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(`ensureTopics: no leaders for ${topics.join(', ')} in time`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Creates Rapport's topics (`infra/kafka/topics.json`) under a prefix, where missing. */
export async function provisionTopics(kafka: Kafka, prefix = ''): Promise<EnsureTopicsResult> {
  return ensureTopics(
    kafka,
    loadTopicDefinitions().map((d) => ({ ...d, topic: `${prefix}${d.topic}` })),
  );
}

/** Deletes every topic under a (non-empty) prefix: test runs and benchmarks clean up after themselves. */
export async function removeTopics(kafka: Kafka, prefix: string): Promise<number> {
  if (!prefix) throw new Error('removeTopics needs a prefix; it never deletes the plain topics');
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics });
    return topics.length;
  } finally {
    await admin.disconnect();
  }
}
