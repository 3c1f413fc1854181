import {
  type ICustomPartitioner,
  type Kafka,
  type Message,
  type ProducerBatch,
  type ProducerConfig,
  type RecordMetadata,
} from 'kafkajs';
import { InvalidTouchpointError, PublishError } from './publish-errors';
import { type TouchpointInput } from './touchpoint-input';
import { TouchpointPublisher, type TouchpointPublisherOptions } from './touchpoint-publisher';

// Never connected: these tests show what happens before anything reaches Kafka.
const options: TouchpointPublisherOptions = {
  brokers: ['127.0.0.1:1'],
  clientId: 'adapter-sdk-unit',
  source: 'adapters/email',
  now: () => new Date('2026-03-10T12:00:00Z'),
};

function email(id: string, data: Record<string, unknown> = {}): TouchpointInput {
  return {
    id,
    time: new Date('2026-03-01T09:00:00Z'),
    data: {
      channel: 'email',
      direction: 'inbound',
      identity: { kind: 'email', value: 'Maria.Rossi@example.com' },
      ...data,
    },
  } as TouchpointInput;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('TouchpointPublisher validation (no Kafka)', () => {
  const publisher = new TouchpointPublisher(options);

  it('refuses an invalid payload with the field paths, before sending', async () => {
    const error = await rejectionOf(
      publisher.publish(email('m-1', { direction: 'sideways', colour: 'red' })),
    );
    expect(error).toBeInstanceOf(InvalidTouchpointError);
    const invalid = error as InvalidTouchpointError;
    expect(invalid.errors.map((e) => e.path).sort()).toEqual(['data.colour', 'data.direction']);
    expect(invalid.rejected).toEqual([{ index: 0, id: 'm-1', errors: expect.any(Array) }]);
    expect(invalid.message).toMatch(/^touchpoint "m-1" is invalid; it was not published: data\./);
  });

  it.each([
    ['null', null, '(root)'],
    ['a string', 'touchpoint', '(root)'],
    ['an array', [], '(root)'],
    ['without identity', email('m-3', { identity: undefined }), 'data.identity'],
    ['with identity: []', email('m-4', { identity: [] }), 'data.identity'],
    ['with identities: [[]]', email('m-5', { identities: [[]] }), 'data.identities'],
    ['with a time that does not exist', { ...email('m-6'), time: '2026-02-30T10:00:00Z' }, 'time'],
    ['with a symbol for an id', { ...email('m-7'), id: Symbol('id') }, 'id'],
  ])(
    'refuses a touchpoint that is %s with InvalidTouchpointError, never a TypeError',
    async (_, input, path) => {
      const error = await rejectionOf(publisher.publish(input as unknown as TouchpointInput));
      expect(error).toBeInstanceOf(InvalidTouchpointError);
      expect((error as InvalidTouchpointError).errors.map((e) => e.path)).toContain(path);
    },
  );

  it('refuses a publishBatch argument that is not an array with InvalidTouchpointError', async () => {
    const error = await rejectionOf(
      publisher.publishBatch({ length: 1 } as unknown as TouchpointInput[]),
    );
    expect(error).toBeInstanceOf(InvalidTouchpointError);
  });

  it('refuses an identity that does not normalise', async () => {
    const error = await rejectionOf(
      publisher.publish(email('m-2', { identity: { kind: 'email', value: 'not-an-address' } })),
    );
    expect((error as InvalidTouchpointError).errors).toEqual([
      { path: 'data.identity.value', message: 'not an e-mail address' },
    ]);
  });

  it.each([
    ['an invalid Date', new Date('nonsense')],
    ['a time two days ahead of the clock', new Date('2026-03-12T12:00:00Z')],
    ['a time that is not a timestamp', 'yesterday'],
  ])('refuses %s on `time`', async (_what, time) => {
    const error = await rejectionOf(publisher.publish({ ...email('m-3'), time }));
    expect((error as InvalidTouchpointError).errors.map((e) => e.path)).toEqual(['time']);
  });

  it('refuses an unknown type on `type`', async () => {
    const input = { ...email('m-4'), type: 'touchpoint.deleted.v1' } as unknown as TouchpointInput;
    const error = await rejectionOf(publisher.publish(input));
    expect((error as InvalidTouchpointError).errors.map((e) => e.path)).toContain('type');
  });

  it('refuses a whole batch when one item is invalid, with indexed paths', async () => {
    const error = await rejectionOf(
      publisher.publishBatch([
        email('ok-1'),
        email('bad-1', { sentiment: 3 }),
        email('bad-2', { identity: { kind: 'email', value: 'x' } }),
      ]),
    );
    // A PublishError (the producer is not connected) would mean something was sent.
    expect(error).toBeInstanceOf(InvalidTouchpointError);
    const invalid = error as InvalidTouchpointError;
    expect(invalid.rejected.map((r) => [r.index, r.id])).toEqual([
      [1, 'bad-1'],
      [2, 'bad-2'],
    ]);
    expect(invalid.errors.map((e) => e.path)).toEqual([
      '[1].data.sentiment',
      '[2].data.identity.value',
    ]);
    expect(invalid.message).toMatch(
      /^2 touchpoint\(s\) of the batch are invalid; nothing was published/,
    );
  });

  it('wraps a Kafka failure in a PublishError carrying the ids and the cause', async () => {
    const error = await rejectionOf(publisher.publishBatch([email('ok-1'), email('ok-2')]));
    expect(error).toBeInstanceOf(PublishError);
    const failed = error as PublishError;
    expect(failed.ids).toEqual(['ok-1', 'ok-2']);
    expect(failed.cause).toBeInstanceOf(Error);
    expect(failed.message).toMatch(/^publishing 2 touchpoint\(s\) to Kafka failed: .*disconnected/);
  });

  it('publishes nothing for an empty batch', async () => {
    await expect(publisher.publishBatch([])).resolves.toEqual([]);
  });

  it('checks its options when constructed', () => {
    expect(() => new TouchpointPublisher({ ...options, source: 'adapters email' })).toThrow(
      /source must be a URI-reference/,
    );
    expect(() => new TouchpointPublisher({ ...options, retries: 0 })).toThrow(/retries must be/);
    expect(
      () => new TouchpointPublisher({ kafkaUrl: 'inproc', clientId: 'x', source: 'adapters/x' }),
    ).toThrow(/not a Kafka URL/);
  });
});

/** Stands in for a kafkajs producer: partitions like kafkajs, fails when told to. */
class FakeProducer {
  connected = false;
  failNextSend = false;
  readonly batches: Message[][] = [];

  constructor(private readonly config: ProducerConfig) {}

  async connect() {
    this.connected = true;
  }

  async disconnect() {
    this.connected = false;
  }

  async sendBatch({ topicMessages = [] }: ProducerBatch): Promise<RecordMetadata[]> {
    if (!this.connected) throw new Error('The producer is disconnected');
    if (this.failNextSend) {
      this.failNextSend = false;
      throw new Error('Request Produce timed out');
    }
    const partitioner = (this.config.createPartitioner as ICustomPartitioner)();
    const partitionMetadata = Array.from({ length: 8 }, (_, partitionId) => ({
      partitionId,
      leader: 1,
      partitionErrorCode: 0,
      replicas: [1],
      isr: [1],
    }));
    const metadata = new Map<string, RecordMetadata>();
    for (const { topic, messages } of topicMessages) {
      this.batches.push(messages);
      for (const message of messages) {
        const partition = partitioner({ topic, partitionMetadata, message });
        const topicName = topic;
        metadata.set(`${topic}:${partition}`, {
          topicName,
          partition,
          errorCode: 0,
          baseOffset: '41',
        });
      }
    }
    return [...metadata.values()];
  }
}

describe('TouchpointPublisher with a stand-in producer', () => {
  const producers: FakeProducer[] = [];
  const kafka = {
    producer: (config: ProducerConfig) => {
      const producer = new FakeProducer(config);
      producers.push(producer);
      return producer;
    },
  } as unknown as Kafka;

  beforeEach(() => producers.splice(0));

  it('derives each receipt offset from its partition base offset and position', async () => {
    const publisher = new TouchpointPublisher({ ...options, kafka });
    await publisher.connect();
    const receipts = await publisher.publishBatch([
      email('a'),
      email('b', { channel: 'chat' }),
      email('c'),
    ]);
    expect(receipts.map((r) => [r.id, r.topic, r.offset])).toEqual([
      ['a', 'touchpoints.email', '41'],
      ['b', 'touchpoints.chat', '41'],
      ['c', 'touchpoints.email', '42'],
    ]);
    expect(producers[0].batches).toHaveLength(2); // one message list per topic, one call
  });

  it('replaces the producer after a failed send, so sequence numbers start afresh', async () => {
    const publisher = new TouchpointPublisher({ ...options, kafka });
    await publisher.connect();
    producers[0].failNextSend = true;

    await expect(publisher.publish(email('lost-ack'))).rejects.toBeInstanceOf(PublishError);
    expect(producers).toHaveLength(2);
    expect(producers[0].connected).toBe(false);

    await expect(publisher.publish(email('next'))).resolves.toMatchObject({ id: 'next' });
    expect(producers[0].batches).toHaveLength(0);
    expect(producers[1].batches).toHaveLength(1);

    await publisher.disconnect();
    expect(producers[1].connected).toBe(false);
  });

  it('publishes under a topic prefix', async () => {
    const publisher = new TouchpointPublisher({ ...options, kafka, topicPrefix: 'run1.' });
    await publisher.connect();
    await expect(publisher.publish(email('a'))).resolves.toMatchObject({
      topic: 'run1.touchpoints.email',
    });
  });

  it('refuses a topic prefix that contradicts the one in the URL', () => {
    const { brokers: _b, ...rest } = options;
    const kafkaUrl = 'kafka://h:9092?topicPrefix=a.';
    expect(() => new TouchpointPublisher({ ...rest, kafkaUrl, topicPrefix: 'b.' })).toThrow(
      /topicPrefix "b." contradicts the URL's topicPrefix "a."/,
    );
  });

  it('does not replace a producer the adapter disconnected', async () => {
    const publisher = new TouchpointPublisher({ ...options, kafka });
    await publisher.connect();
    await publisher.disconnect();
    await expect(publisher.publish(email('late'))).rejects.toBeInstanceOf(PublishError);
    expect(producers).toHaveLength(1);
  });
});
