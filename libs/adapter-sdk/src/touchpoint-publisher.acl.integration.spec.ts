import { randomUUID } from 'node:crypto';
import {
  aclEntries,
  grantAcls,
  kafkaFromBrokers,
  kafkaFromUrl,
  loadAclPlan,
  parseKafkaBusUrl,
  provisionTopics,
  removeTopics,
  revokeAcls,
} from '@rapport/messaging';
import { describeWithKafkaPrincipals, untilPasses } from '@rapport/testing';
import { type Kafka } from 'kafkajs';
import { NotAuthorizedError, PublishError } from './publish-errors';
import { type TouchpointInput } from './touchpoint-input';
import { TouchpointPublisher } from './touchpoint-publisher';

jest.setTimeout(60_000);

const now = new Date('2026-03-10T12:00:00Z');

function touchpoint(channel: 'email' | 'chat', id: string = randomUUID()): TouchpointInput {
  return {
    id,
    time: '2026-03-10T11:00:00Z',
    data: {
      channel,
      direction: 'inbound',
      identity: { kind: 'email', value: 'maria.rossi@example.com' },
      content: { text: `hello from ${channel}` },
    },
  };
}

/**
 * The local broker authenticates every client (SASL/SCRAM-SHA-512) and authorises it by
 * ACL. `adapter-email` gets exactly its ACLs of `infra/kafka/acls.json`, under this run's
 * topic prefix: it may write the e-mail topic and nothing else.
 */
describeWithKafkaPrincipals(
  ['adapter-email'],
  'TouchpointPublisher as an adapter principal (SASL/SCRAM and ACLs)',
  (urls, principalUrl) => {
    const prefix = `acl-${randomUUID().slice(0, 8)}.`;
    const acl = aclEntries(loadAclPlan(), { prefix, principals: ['adapter-email'] });
    let admin: Kafka;
    let email: TouchpointPublisher;

    beforeAll(async () => {
      admin = kafkaFromUrl(urls.kafka, `${prefix}admin`);
      await provisionTopics(admin, prefix);
      await grantAcls(admin, acl);
      email = new TouchpointPublisher({
        kafkaUrl: principalUrl('adapter-email', prefix),
        clientId: `${prefix}adapter-email`,
        source: 'adapters/email',
        now: () => now,
      });
      await email.connect();
    });

    afterAll(async () => {
      await email?.disconnect();
      await revokeAcls(admin, acl);
      await removeTopics(admin, prefix);
    });

    /** How many records the topic holds (all partitions). */
    async function recordsIn(topic: string): Promise<number> {
      const kafkaAdmin = admin.admin();
      await kafkaAdmin.connect();
      try {
        let offsets: { high: string }[] = [];
        // a broker that has just created the topic may not lead its partitions yet
        await untilPasses(async () => {
          offsets = await kafkaAdmin.fetchTopicOffsets(topic);
        }, 10_000);
        return offsets.reduce((sum, p) => sum + Number(p.high), 0);
      } finally {
        await kafkaAdmin.disconnect();
      }
    }

    it('publishes to its own channel topic', async () => {
      const receipt = await email.publish(touchpoint('email'));
      expect(receipt.topic).toBe(`${prefix}touchpoints.email`);
      expect(receipt.offset).toBe('0');
      expect(await recordsIn(`${prefix}touchpoints.email`)).toBe(1);
    });

    it("is refused on another channel's topic, at once and with a clear error", async () => {
      const started = Date.now();
      const refused = email.publish(touchpoint('chat', 'chat-1'));
      await expect(refused).rejects.toThrow(NotAuthorizedError);
      await expect(refused).rejects.toThrow(PublishError);
      await expect(refused).rejects.toThrow(
        `publishing 1 touchpoint(s) to Kafka failed: not authorized to write ${prefix}touchpoints.chat (TOPIC_AUTHORIZATION_FAILED)`,
      );
      await expect(refused).rejects.toMatchObject({
        ids: ['chat-1'],
        topics: [`${prefix}touchpoints.chat`],
      });
      expect(Date.now() - started).toBeLessThan(5000); // not retried: retrying cannot help
      expect(await recordsIn(`${prefix}touchpoints.chat`)).toBe(0);
    });

    it('refuses a batch with one touchpoint of another channel, and goes on with its own', async () => {
      await expect(
        email.publishBatch([touchpoint('email'), touchpoint('chat')]),
      ).rejects.toBeInstanceOf(NotAuthorizedError);
      const receipt = await email.publish(touchpoint('email'));
      expect(receipt.topic).toBe(`${prefix}touchpoints.email`);
    });

    it('refuses a wrong password when it connects', async () => {
      const { brokers } = parseKafkaBusUrl(urls.kafka);
      const wrong = new TouchpointPublisher({
        kafkaUrl: `kafka://adapter-email:not-the-password@${brokers.join(',')}?topicPrefix=${prefix}`,
        clientId: `${prefix}wrong-password`,
        source: 'adapters/email',
      });
      const connecting = wrong.connect();
      await expect(connecting).rejects.toThrow(
        /SASL SCRAM SHA512 authentication failed: .*invalid credentials/,
      );
      await expect(connecting).rejects.not.toThrow(/not-the-password/);
      await wrong.disconnect().catch(() => undefined);
    });

    it('is refused without credentials', async () => {
      const { brokers } = parseKafkaBusUrl(urls.kafka);
      const anonymous = new TouchpointPublisher({
        kafka: kafkaFromBrokers(brokers, `${prefix}anonymous`, { retry: { retries: 0 } }),
        clientId: 'unused',
        source: 'adapters/email',
        retries: 1,
      });
      // The SASL listener closes a connection that does not authenticate first.
      await expect(
        anonymous.connect().then(() => anonymous.publish(touchpoint('email'))),
      ).rejects.toThrow();
      await anonymous.disconnect().catch(() => undefined);
      expect(await recordsIn(`${prefix}touchpoints.email`)).toBe(2);
    });
  },
);
