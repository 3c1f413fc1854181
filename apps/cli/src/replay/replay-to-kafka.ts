import { type EventStore } from '@rapport/event-store';
import { encodeBinary, encodeStructured, ensureTopics } from '@rapport/messaging';
import { type Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import {
  type LogSelection,
  readSelection,
  resolveRange,
  selectionFilter,
} from '../log/log-selection';
import { logEventAsCloudEvent } from './log-event-cloudevent';

export interface ReplayOptions {
  readonly topic: string;
  /** Partitions when the topic has to be created (1 keeps the whole log's order in one partition). */
  readonly partitions: number;
  readonly mode: 'binary' | 'structured';
  /** The last position already published (the checkpoint); the replay goes on after it. */
  readonly resumeAfter: number;
  readonly batchSize: number;
  readonly shouldStop: () => boolean;
  /** After every batch the broker acknowledged: save it as the checkpoint. */
  readonly onBatch: (progress: { published: number; position: number; total: number }) => void;
  readonly onStart?: (range: { after: number; upTo: number }) => void;
  readonly onNote?: (line: string) => void;
}

export interface ReplayResult {
  readonly published: number;
  readonly after: number;
  readonly upTo: number;
  readonly reached: number;
  readonly stopped: boolean;
}

/**
 * Publishes the selected log events, in log order, to a Kafka topic as CloudEvents
 * (keyed by stream id, so one customer's events share a partition and stay in order).
 * An idempotent producer with one request in flight keeps the order across retries; a
 * batch counts as published (and the checkpoint moves past it) only once the broker has
 * acknowledged it on all in-sync replicas. A crash between the two republishes that batch
 * on resume: at-least-once, every copy with its original id.
 */
export async function replayToKafka(
  store: EventStore,
  kafka: Kafka,
  selection: LogSelection,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const range = await resolveRange(store, selection);
  const after = Math.max(range.after, Math.min(options.resumeAfter, range.upTo));
  options.onStart?.({ after, upTo: range.upTo });
  const topic = await ensureTopics(kafka, [
    { topic: options.topic, partitions: options.partitions },
  ]);
  for (const m of topic.partitionMismatches)
    options.onNote?.(
      `${m.topic} already exists with ${m.actual} partitions (not ${m.expected}); left as it is${m.actual > 1 ? ': events keep their order per stream (the key), not across the whole log' : ''}`,
    );
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const encode = options.mode === 'structured' ? encodeStructured : encodeBinary;
  let published = 0;
  let reached = after;
  try {
    for await (const batch of readSelection(
      store,
      { ...range, after },
      selectionFilter(selection),
      { batchSize: options.batchSize, shouldStop: options.shouldStop },
    )) {
      const messages = batch.events.map((e) => encode(logEventAsCloudEvent(e), e.streamId));
      for (const chunk of requestSized(messages))
        await producer.send({ topic: options.topic, acks: -1, messages: chunk });
      published += batch.events.length;
      reached = batch.upTo;
      options.onBatch({ published, position: reached, total: range.upTo });
    }
  } finally {
    await producer.disconnect();
  }
  return {
    published,
    after,
    upTo: range.upTo,
    reached,
    stopped: reached < range.upTo && options.shouldStop(),
  };
}

/** Below the broker's default `message.max.bytes` (1 MiB), which bounds one partition's record batch. */
const REQUEST_BYTES = 768 * 1024;

/** Splits messages into consecutive runs that each fit one produce request. */
function* requestSized(messages: Message[]): Generator<Message[]> {
  let run: Message[] = [];
  let bytes = 0;
  for (const message of messages) {
    let size = 64 + (message.key?.length ?? 0) + (message.value?.length ?? 0);
    for (const [name, value] of Object.entries(message.headers ?? {}))
      size += name.length + String(value).length;
    if (run.length > 0 && bytes + size > REQUEST_BYTES) {
      yield run;
      run = [];
      bytes = 0;
    }
    run.push(message);
    bytes += size;
  }
  if (run.length > 0) yield run;
}
