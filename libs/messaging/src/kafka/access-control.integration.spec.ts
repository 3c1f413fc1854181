import { describeWithKafkaPrincipals } from '@rapport/testing';
import { type Kafka } from 'kafkajs';
import { aclEntries, grantAcls, loadAclPlan, revokeAcls } from './access-control';
import { ensureTopics, provisionTopics, removeTopics } from './ensure-topics';
import { kafkaFromUrl } from './kafka-config';

jest.setTimeout(60_000);

/** The broker's error code in a kafkajs error or the errors it wraps, else its message. */
function errorType(error: unknown): string {
  for (let e = error, depth = 0; e && depth < 5; depth += 1) {
    const { type, cause, originalError } = e as {
      type?: string;
      cause?: unknown;
      originalError?: unknown;
    };
    if (type) return type;
    e = cause ?? originalError;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Sends one record as `kafka`'s principal; resolves to the error type when refused. */
async function write(kafka: Kafka, topic: string): Promise<string> {
  // retried while a new topic's leader settles; a refusal is final at once
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'v' }] });
    return 'written';
  } catch (error) {
    return errorType(error);
  } finally {
    await producer.disconnect();
  }
}

/**
 * The service principals of `infra/kafka/acls.json`, each with exactly its ACLs under this
 * run's prefix, on the SASL/SCRAM broker: what each may write, and what it may not.
 */
describeWithKafkaPrincipals(
  ['rapport-projector', 'rapport-cli', 'rapport-ingestor'],
  'Kafka ACLs of the service principals',
  (urls, principalUrl) => {
    const prefix = `svcacl${Date.now().toString(36)}.`;
    const acl = aclEntries(loadAclPlan(), {
      prefix,
      principals: ['rapport-projector', 'rapport-cli', 'rapport-ingestor'],
    });
    const as = (principal: string) =>
      kafkaFromUrl(principalUrl(principal), `${prefix}${principal}`);
    let admin: Kafka;

    beforeAll(async () => {
      admin = kafkaFromUrl(urls.kafka, `${prefix}admin`);
      await grantAcls(admin, acl);
      await provisionTopics(admin, prefix);
    });

    afterAll(async () => {
      await revokeAcls(admin, acl);
      await removeTopics(admin, prefix);
    });

    it('the projector writes rapport.outbound and no touchpoint topic', async () => {
      const projector = as('rapport-projector');
      expect(await write(projector, `${prefix}rapport.outbound`)).toBe('written');
      expect(await write(projector, `${prefix}touchpoints.email`)).toBe(
        'TOPIC_AUTHORIZATION_FAILED',
      );
      expect(await write(projector, `${prefix}touchpoints.dlq`)).toBe('TOPIC_AUTHORIZATION_FAILED');
    });

    it('the ingestor writes the dead-letter topic and no touchpoint topic', async () => {
      const ingestor = as('rapport-ingestor');
      expect(await write(ingestor, `${prefix}touchpoints.dlq`)).toBe('written');
      expect(await write(ingestor, `${prefix}touchpoints.chat`)).toBe('TOPIC_AUTHORIZATION_FAILED');
      expect(await write(ingestor, `${prefix}rapport.outbound`)).toBe('TOPIC_AUTHORIZATION_FAILED');
    });

    it('the ingestor joins only its own consumer groups', async () => {
      const join = async (groupId: string): Promise<string> => {
        const consumer = as('rapport-ingestor').consumer({
          groupId,
          retry: { retries: 0 },
          maxWaitTimeInMs: 100,
        });
        const outcome = new Promise<string>((resolve) => {
          consumer.on(consumer.events.GROUP_JOIN, () => resolve('joined'));
          consumer.on(consumer.events.CRASH, ({ payload }) => resolve(errorType(payload.error)));
        });
        await consumer.connect();
        try {
          await consumer.subscribe({ topics: [`${prefix}touchpoints.email`] });
          await consumer.run({ eachMessage: async () => undefined });
          return await outcome;
        } finally {
          await consumer.disconnect();
        }
      };
      expect(await join(`${prefix}rapport-ingestor-blue`)).toBe('joined');
      // kafkajs turns the broker's GROUP_AUTHORIZATION_FAILED to FindCoordinator into this
      expect(await join(`${prefix}someone-else`)).toBe('Failed to find group coordinator');
    });

    it('the CLI replays into the touchpoint topics and creates topics under rapport.replay', async () => {
      const cli = as('rapport-cli');
      expect(await write(cli, `${prefix}touchpoints.chat`)).toBe('written');
      const replay = `${prefix}rapport.replay.analytics`;
      const created = await ensureTopics(cli, [{ topic: replay, partitions: 1 }]);
      expect(created.created).toEqual([replay]);
      expect(await write(cli, replay)).toBe('written');
      await expect(
        ensureTopics(cli, [{ topic: `${prefix}analytics.touchpoints`, partitions: 1 }]),
      ).rejects.toMatchObject({ errors: [{ type: 'TOPIC_AUTHORIZATION_FAILED' }] });
      expect(await write(cli, `${prefix}touchpoints.dlq`)).toBe('TOPIC_AUTHORIZATION_FAILED');
    });
  },
);
