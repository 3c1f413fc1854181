import { randomUUID } from 'node:crypto';
import { type Kafka, type KafkaMessage } from 'kafkajs';

export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface FetchedRecord extends RecordPosition {
  readonly message: KafkaMessage;
}

/**
 * Reads the records at the given positions, raw (for inspecting a dead letter, or for
 * tests checking what a producer wrote). Uses a throw-away consumer group that commits
 * nothing and seeks straight to the positions; rejects when not all of them arrive in
 * time. Returns the records in the order of `positions`.
 */
export async function fetchRecordsAt(
  kafka: Kafka,
  positions: readonly RecordPosition[],
  options: { readonly timeoutMs?: number } = {},
): Promise<FetchedRecord[]> {
  if (positions.length === 0) return [];
  const slot = (p: RecordPosition) => `${p.topic}:${p.partition}:${p.offset}`;
  const wanted = new Set(positions.map(slot));
  const found = new Map<string, FetchedRecord>();

  // Start each partition at the lowest wanted offset.
  const starts = new Map<string, RecordPosition>();
  for (const p of positions) {
    const key = `${p.topic}:${p.partition}`;
    const current = starts.get(key);
    if (!current || BigInt(p.offset) < BigInt(current.offset)) starts.set(key, p);
  }

  const consumer = kafka.consumer({ groupId: `rapport-fetch-${randomUUID()}` });
  await consumer.connect();
  try {
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const missing = [...wanted].filter((s) => !found.has(s));
        reject(new Error(`fetchRecordsAt: no record at ${missing.join(', ')} in time`));
      }, options.timeoutMs ?? 20_000);
      // Seek on every join, not once after run(): when a fetch answers NOT_LEADER (a broker
      // that has just created a topic may, for a moment) kafkajs refreshes its metadata and
      // joins the group again, which starts its offsets afresh; a consumer it restarts after
      // a crash is a new member. Either way the seeks made before are gone.
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const p of starts.values()) consumer.seek(p);
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart) return;
        clearTimeout(timer);
        reject(payload.error);
      });
      const topics = [...new Set(positions.map((p) => p.topic))];
      consumer
        // fromBeginning: should a seek still be missed, reading from the start finds the records.
        .subscribe({ topics, fromBeginning: true })
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachMessage: async ({ topic, partition, message }) => {
              const position = { topic, partition, offset: message.offset };
              if (!wanted.has(slot(position))) return;
              found.set(slot(position), { ...position, message });
              if (found.size === wanted.size) {
                clearTimeout(timer);
                resolve();
              }
            },
          }),
        )
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error);
        });
    });
    await done;
    return positions.map((p) => found.get(slot(p)) as FetchedRecord);
  } finally {
    await consumer.disconnect();
  }
}
