import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { describeWithServices } from '@rapport/testing';
import { type ISocketFactory, type Kafka, type Producer } from 'kafkajs';
import { ensureTopics } from './ensure-topics';
import { fetchRecordsAt } from './fetch-records';
import { kafkaFromUrl } from './kafka-config';

jest.setTimeout(60_000);

/** Kafka's API key of a Fetch request, and the error code NOT_LEADER_OR_FOLLOWER. */
const FETCH_API_KEY = 1;
const NOT_LEADER = 6;

/** A request: size (4), API key (2), API version (2), correlation id (4), … */
function isFetchRequest(chunk: unknown): chunk is Buffer {
  return Buffer.isBuffer(chunk) && chunk.length >= 12 && chunk.readInt16BE(4) === FETCH_API_KEY;
}

/**
 * Real sockets to the broker, except that the answer to the first Fetch request for
 * `topic` says NOT_LEADER_OR_FOLLOWER for its partition, as a broker that has just created
 * the topic may (it did in CI). kafkajs then refreshes its metadata and joins the group
 * again, which starts the consumer's offsets afresh.
 */
function notLeaderOnFirstFetch(topic: string): {
  factory: ISocketFactory;
  forged: () => number;
} {
  let forged = 0;
  let fetchCorrelationId: number | null = null;
  const topicField = Buffer.alloc(2 + Buffer.byteLength(topic));
  topicField.writeInt16BE(Buffer.byteLength(topic), 0);
  topicField.write(topic, 2);
  const factory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket: Socket = connect({ host, port }, onConnect);
    const write = socket.write.bind(socket) as (chunk: unknown, encoding?: unknown) => boolean;
    socket.write = ((chunk: unknown, encoding?: unknown) => {
      if (
        isFetchRequest(chunk) &&
        forged === 0 &&
        fetchCorrelationId === null &&
        chunk.includes(topicField)
      )
        fetchCorrelationId = chunk.readInt32BE(8);
      return write(chunk, encoding);
    }) as Socket['write'];
    // Its answer: size (4), correlation id (4), …, topic name, partition count (4),
    // partition index (4), the partition's error code (2), …
    const emit = socket.emit.bind(socket) as (event: string, ...args: unknown[]) => boolean;
    socket.emit = ((event: string, ...args: unknown[]) => {
      const [chunk] = args;
      if (
        event === 'data' &&
        forged === 0 &&
        fetchCorrelationId !== null &&
        Buffer.isBuffer(chunk) &&
        chunk.length >= 8 &&
        chunk.readInt32BE(4) === fetchCorrelationId
      ) {
        const at = chunk.indexOf(topicField);
        if (at >= 0) {
          chunk.writeInt16BE(NOT_LEADER, at + topicField.length + 8);
          forged += 1;
        }
      }
      return emit(event, ...args);
    }) as Socket['emit'];
    return socket;
  };
  return { factory, forged: () => forged };
}

/** Real sockets to the broker, except that each one is cut as it sends a Fetch request. */
const cutEveryFetch: ISocketFactory = ({ host, port, onConnect }) => {
  const socket: Socket = connect({ host, port }, onConnect);
  const write = socket.write.bind(socket) as (chunk: unknown, encoding?: unknown) => boolean;
  socket.write = ((chunk: unknown, encoding?: unknown) => {
    if (isFetchRequest(chunk)) {
      setImmediate(() => socket.destroy(new Error('connection cut by the test')));
      return true;
    }
    return write(chunk, encoding);
  }) as Socket['write'];
  return socket;
};

describeWithServices(['kafka'], 'fetchRecordsAt on a real Kafka', (urls) => {
  const run = randomUUID().slice(0, 8);
  const topic = `rapport-test-${run}.fetch`;
  let kafka: Kafka;
  let producer: Producer;

  beforeAll(async () => {
    kafka = kafkaFromUrl(urls.kafka, `fetch-records-test-${run}`);
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: ['zero', 'one', 'two', 'three'].map((value) => ({ key: 'k', value })),
    });
  });

  afterAll(async () => {
    await producer?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('returns the records at the positions asked for, in their order', async () => {
    const records = await fetchRecordsAt(kafka, [
      { topic, partition: 0, offset: '2' },
      { topic, partition: 0, offset: '1' },
    ]);
    expect(records.map((r) => [r.offset, String(r.message.value)])).toEqual([
      ['2', 'two'],
      ['1', 'one'],
    ]);
  });

  it('still finds them when the broker answers NOT_LEADER and kafkajs joins again', async () => {
    const { factory, forged } = notLeaderOnFirstFetch(topic);
    const flaky = kafkaFromUrl(urls.kafka, `fetch-records-test-${run}-flaky`, {
      socketFactory: factory,
    });
    const records = await fetchRecordsAt(flaky, [{ topic, partition: 0, offset: '2' }], {
      timeoutMs: 15_000,
    });
    expect(forged()).toBe(1);
    expect(records.map((r) => [r.offset, String(r.message.value)])).toEqual([['2', 'two']]);
  });

  it("fails at once with kafkajs' error when its consumer crashes for good", async () => {
    const broken = kafkaFromUrl(urls.kafka, `fetch-records-test-${run}-broken`, {
      socketFactory: cutEveryFetch,
      retry: { retries: 1, initialRetryTime: 50, restartOnFailure: async () => false },
    });
    // Not the timeout's "no record … in time": the crash's own error, long before it.
    await expect(
      fetchRecordsAt(broken, [{ topic, partition: 0, offset: '2' }], { timeoutMs: 30_000 }),
    ).rejects.toThrow('Connection error: connection cut by the test');
  });
});
