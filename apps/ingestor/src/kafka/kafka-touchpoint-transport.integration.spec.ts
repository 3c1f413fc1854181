import { TouchpointPublisher } from '@rapport/adapter-sdk';
import { type IngestResult } from '@rapport/application';
import { kafkaFromUrl, removeTopics } from '@rapport/messaging';
import { describeWithServices, eventually } from '@rapport/testing';
import { KafkaJSNonRetriableError } from 'kafkajs';
import { INGEST_BATCH_PATTERN } from './ingest-batch.pattern';
import { KafkaTouchpointTransport } from './kafka-touchpoint-transport';

describeWithServices(['kafka'], 'Kafka touchpoint transport on a real Kafka', (urls) => {
  jest.setTimeout(120_000);
  const run = `transport${Date.now().toString(36)}`;
  let transport: KafkaTouchpointTransport;

  afterAll(async () => {
    await transport?.close();
    await removeTopics(kafkaFromUrl(urls.kafka, `${run}-admin`), run);
  });

  it('starts its consumer again after a crash kafkajs does not restart, and loses nothing', async () => {
    const kafkaUrl = `${urls.kafka}?topicPrefix=${run}.`;
    transport = new KafkaTouchpointTransport({ kafkaUrl, groupId: `${run}-ingestor` });
    // kafkajs retries a failed batch itself, and restarts a consumer that ran out of retries;
    // a non-retriable error ends the consumer for good (kafkajs emits CRASH with restart:
    // false). The first two batches fail that way.
    let failures = 0;
    const received = new Set<string>();
    transport.addHandler(INGEST_BATCH_PATTERN, async ({ events }: { events: { id: string }[] }) => {
      if (failures < 2) {
        failures += 1;
        throw new KafkaJSNonRetriableError('the batch failed for good');
      }
      for (const event of events) received.add(event.id);
      return events.map((event, index): IngestResult => ({
        index,
        status: 'accepted',
        eventId: event.id,
        customerId: 'c',
        streamId: 's',
        position: index + 1,
      }));
    });
    await new Promise<void>((resolve, reject) => {
      void transport.listen((error?: unknown) => (error ? reject(error) : resolve()));
    });

    const publisher = new TouchpointPublisher({
      kafkaUrl,
      clientId: run,
      source: 'test/transport',
    });
    await publisher.connect();
    const ids = Array.from({ length: 20 }, (_, n) => `${run}-${n}`);
    await publisher.publishBatch(
      ids.map((id) => ({
        id,
        time: new Date('2026-03-01T09:00:00Z'),
        data: {
          channel: 'email',
          direction: 'inbound',
          identity: { kind: 'email', value: 'ann@example.com' },
        },
      })),
    );
    await publisher.disconnect();

    await eventually(
      async () => received.size,
      (n) => n === ids.length,
      90_000,
      100,
    );
    expect([...received].sort()).toEqual([...ids].sort());
    expect(failures).toBe(2);
    expect(transport.consumerRestarts).toBe(2);
  });
});
