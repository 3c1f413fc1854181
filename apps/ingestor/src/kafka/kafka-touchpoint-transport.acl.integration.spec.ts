import { TouchpointPublisher } from '@rapport/adapter-sdk';
import { type IngestResult } from '@rapport/application';
import {
  aclEntries,
  grantAcls,
  kafkaFromUrl,
  loadAclPlan,
  removeTopics,
  revokeAcls,
} from '@rapport/messaging';
import { describeWithKafkaPrincipals, eventually } from '@rapport/testing';
import { type Kafka } from 'kafkajs';
import { INGEST_BATCH_PATTERN } from './ingest-batch.pattern';
import { KafkaTouchpointTransport } from './kafka-touchpoint-transport';

/**
 * The ingestor as the principal `rapport-ingestor`, with nothing but its ACLs of
 * `infra/kafka/acls.json` (under this run's prefix): it creates the topics, consumes in its
 * group and dead-letters, while `adapter-email` publishes with its own ACLs.
 */
describeWithKafkaPrincipals(
  ['rapport-ingestor', 'adapter-email'],
  'Kafka touchpoint transport as the rapport-ingestor principal',
  (urls, principalUrl) => {
    jest.setTimeout(120_000);
    const prefix = `ingacl${Date.now().toString(36)}.`;
    const acl = aclEntries(loadAclPlan(), {
      prefix,
      principals: ['rapport-ingestor', 'adapter-email'],
    });
    let admin: Kafka;
    let transport: KafkaTouchpointTransport;

    beforeAll(async () => {
      admin = kafkaFromUrl(urls.kafka, `${prefix}admin`);
      await grantAcls(admin, acl);
    });

    afterAll(async () => {
      await transport?.close();
      await revokeAcls(admin, acl);
      await removeTopics(admin, prefix);
    });

    it('provisions, consumes in its group and dead-letters with its ACLs only', async () => {
      transport = new KafkaTouchpointTransport({
        kafkaUrl: principalUrl('rapport-ingestor', prefix),
        groupId: `${prefix}rapport-ingestor`,
      });
      const received = new Set<string>();
      transport.addHandler(INGEST_BATCH_PATTERN, async ({ events }: { events: { id: string }[] }) =>
        events.map((event, index): IngestResult => {
          received.add(event.id);
          return {
            index,
            status: 'accepted',
            eventId: event.id,
            customerId: 'c',
            streamId: 's',
            position: index + 1,
          };
        }),
      );
      // The topics do not exist yet: the ingestor creates them, as it does at start.
      await new Promise<void>((resolve, reject) => {
        void transport.listen((error?: unknown) => (error ? reject(error) : resolve()));
      });

      const publisher = new TouchpointPublisher({
        kafkaUrl: principalUrl('adapter-email', prefix),
        clientId: `${prefix}adapter-email`,
        source: 'adapters/email',
      });
      await publisher.connect();
      const ids = [`${prefix}1`, `${prefix}2`];
      await publisher.publishBatch(
        ids.map((id) => ({
          id,
          time: new Date('2026-03-01T09:00:00Z'),
          data: {
            channel: 'email' as const,
            direction: 'inbound' as const,
            identity: { kind: 'email' as const, value: 'ann@example.com' },
          },
        })),
      );
      await publisher.disconnect();
      // Not a CloudEvent: the ingestor must be able to write it to the dead-letter topic.
      const poison = admin.producer();
      await poison.connect();
      await poison.send({
        topic: `${prefix}touchpoints.email`,
        messages: [{ key: 'x', value: 'not json' }],
      });
      await poison.disconnect();

      await eventually(
        async () => received.size,
        (n) => n === ids.length,
        60_000,
        100,
      );
      await eventually(
        async () => transport.counters.deadLettered,
        (n) => n === 1,
        60_000,
        100,
      );
      expect([...received].sort()).toEqual(ids);
    });
  },
);
