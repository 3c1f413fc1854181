import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TouchpointPublisher } from '@rapport/adapter-sdk';
import {
  type ChannelIdentity,
  ideaIdForTouchpoint,
  ideaStreamId,
  logEventIdFor,
} from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import { decodeKafkaMessage, kafkaFromUrl } from '@rapport/messaging';
import { unlinkKeysStartingWith } from '@rapport/read-models/internals';
import {
  describeWithServices,
  eventually,
  httpJson,
  type RunningProcess,
  startService,
  platformCustomerIdFor,
  openPlatformEventStore,
  testRedis,
} from '@rapport/testing';
import { type Consumer } from 'kafkajs';
import { ensureE2eTopics, type E2eTopics, e2eTopics, removeE2eTopics } from './e2e-topics';
import { e2eAccess } from './e2e-access';

interface Outbound {
  id: string;
  source: string;
  type: string;
  data: { customerId: string; channel: string; to: string; ideaId: string };
}

describeWithServices(
  ['kafka', 'redis'],
  'idea loop end to end (Kafka, Redis, SQLite log, separate processes)',
  (urls) => {
    jest.setTimeout(300_000);
    const run = `e2eidea${Date.now().toString(36)}`;
    const topics: E2eTopics = e2eTopics(`${run}.`);
    const prefix = `rapport:${run}:`;
    const logFile = join(mkdtempSync(join(tmpdir(), 'rapport-idea-e2e-')), 'log.db');
    const env: Record<string, string> = {
      RAPPORT_BUS: `${urls.kafka}?topicPrefix=${topics.prefix}`,
      RAPPORT_EVENT_STORE: `sqlite:${logFile}`,
      RAPPORT_READ_MODELS: `${urls.redis}/0?prefix=${prefix}`,
    };
    let access: Awaited<ReturnType<typeof e2eAccess>>;
    const redis = testRedis(urls.redis);
    let ingestor: RunningProcess;
    let projector: RunningProcess;
    let publisher: TouchpointPublisher;
    let consumer: Consumer;
    let store: EventStore;
    const received: Outbound[] = [];

    beforeAll(async () => {
      await ensureE2eTopics(urls.kafka, topics);
      access = await e2eAccess(env.RAPPORT_READ_MODELS);
      Object.assign(env, access.env);
      [ingestor, projector] = await Promise.all([
        startService('ingestor', env),
        startService('projector', env),
      ]);
      publisher = new TouchpointPublisher({
        kafkaUrl: urls.kafka,
        topicPrefix: topics.prefix,
        clientId: `${run}-adapter`,
        source: 'e2e/adapters',
      });
      await publisher.connect();
      consumer = kafkaFromUrl(urls.kafka, `${run}-outbound`).consumer({
        groupId: `${run}-outbound`,
      });
      await consumer.connect();
      await consumer.subscribe({ topic: topics.outbound, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const decoded = decodeKafkaMessage({
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
          } as never);
          if (decoded.ok) received.push(decoded.event as unknown as Outbound);
          else
            received.push({
              id: 'undecodable',
              source: '',
              type: JSON.stringify(decoded),
              data: {} as never,
            });
        },
      });
      store = await openPlatformEventStore(`sqlite:${logFile}`);
    });

    afterAll(async () => {
      await consumer?.disconnect();
      await publisher?.disconnect();
      await store?.close();
      await Promise.all([ingestor?.stop(), projector?.stop()]);
      await unlinkKeysStartingWith(redis, prefix);
      redis.disconnect();
      await removeE2eTopics(urls.kafka, topics);
    });

    const ann: ChannelIdentity = { kind: 'chat', value: 'visitor-ann' };
    const bob: ChannelIdentity = { kind: 'email', value: 'bob@example.com' };
    const cy: ChannelIdentity = { kind: 'social', value: 'cy', network: 'instagram' };
    const votesOf = async (ideaId: string) =>
      (await store.readStream(ideaStreamId(ideaId))).filter((e) => e.type === 'idea.voted.v1')
        .length;
    const changeStatus = (ideaId: string, to: string) =>
      httpJson(`${ingestor.url}/v1/ideas/${ideaId}/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...access.staff },
        body: JSON.stringify({ to }),
      });

    it('idea via chat, votes via e-mail and social, a status change → one notification per supporter on their main channel; a full rebuild sends none again', async () => {
      const time = (s: number) => new Date(Date.UTC(2026, 2, 1, 9, 0, s)).toISOString();
      await publisher.publish({
        id: 'chat-1',
        time: time(1),
        data: {
          channel: 'chat',
          direction: 'inbound',
          identity: ann,
          content: { text: 'Could the app have a dark mode?' },
          metadata: { 'idea.action': 'submit', 'idea.title': 'Dark mode in the app' },
        } as never,
      });
      const ideaId = ideaIdForTouchpoint(logEventIdFor('e2e/adapters', 'chat-1'));
      // Touchpoints of different channels reach the log in no fixed order (each channel is
      // its own topic), and a vote for an idea the log does not hold yet is refused. A
      // supporter votes for an idea they have heard of: wait until the idea is recorded.
      await eventually(
        () => votesOf(ideaId),
        (n) => n === 1,
        60_000,
        100,
      );
      expect(await votesOf(ideaId)).toBe(1); // the submitter's own vote
      await publisher.publishBatch([
        {
          id: 'mail-1',
          time: time(2),
          data: {
            channel: 'email',
            direction: 'inbound',
            identity: bob,
            content: { text: 'order?' },
          } as never,
        },
        {
          id: 'mail-2',
          time: time(3),
          data: {
            channel: 'email',
            direction: 'inbound',
            identity: bob,
            content: { text: '+1 dark mode' },
            metadata: { 'idea.action': 'vote', 'idea.id': ideaId },
          } as never,
        },
        {
          id: 'social-1',
          time: time(4),
          data: {
            channel: 'social',
            direction: 'inbound',
            identity: cy,
            content: { text: 'yes please' },
            metadata: { 'idea.action': 'vote', 'idea.id': ideaId },
          } as never,
        },
      ]);
      await eventually(
        () => votesOf(ideaId),
        (n) => n === 3,
        60_000,
        200,
      );
      expect(await votesOf(ideaId)).toBe(3);

      expect((await changeStatus(ideaId, 'under_review')).status).toBe(200);
      const first = await eventually(
        async () => [...received],
        (r) => r.length >= 3,
        60_000,
        200,
      );
      if (first.length < 3)
        // What the notifier said, to tell a missing contact from a lost message.
        console.log(
          `only ${first.length} notification(s) received; the projector said:\n${projector.output.filter((l) => /idea|notif|supporter/i.test(l)).join('\n')}`,
        );
      expect(first.map((m) => [m.data.customerId, m.data.channel, m.data.to]).sort()).toEqual(
        [
          [platformCustomerIdFor(ann), 'chat', 'under_review'],
          [platformCustomerIdFor(bob), 'email', 'under_review'],
          [platformCustomerIdFor(cy), 'social', 'under_review'],
        ].sort(),
      );
      expect(
        first.every(
          (m) => m.type === 'idea.status-notification.v1' && m.source === 'rapport/ideas',
        ),
      ).toBe(true);
      // Sealed: the topic holds no address and no words; a delivery adapter opens each one.
      for (const m of first) {
        const carried = JSON.stringify(m.data);
        expect(carried).not.toContain(bob.value);
        expect(carried).not.toContain('under review');
        const opened = await httpJson<{ subject: string; address?: string }>(
          `${ingestor.url}/v1/outbound/open`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...access.adapter },
            body: carried,
          },
        );
        expect([opened.status, opened.body.subject]).toEqual([
          200,
          expect.stringContaining('is under review'),
        ]);
        if (m.data.channel === 'email') expect(opened.body.address).toBe(bob.value);
      }
      // Recorded on each supporter's timeline as an outbound touchpoint under the notification id
      // — after the publish, so a message can arrive before its record is appended.
      for (const m of first) {
        const isRecorded = async () =>
          (await store.readStream(`customer-${m.data.customerId}`)).some(
            (e) => e.id === m.id && (e.data as { direction: string }).direction === 'outbound',
          );
        expect(await eventually(isRecorded, (yes) => yes, 30_000, 100)).toBe(true);
      }

      // A full rebuild: the projector goes, Redis loses every read model, a new projector rebuilds from the log.
      await projector.stop();
      await unlinkKeysStartingWith(redis, prefix);
      projector = await startService('projector', env);
      const head = await store.headPosition();
      await eventually(
        async () => Number((await redis.get(`${prefix}{ideas}:checkpoint:ideas`)) ?? 0),
        (p) => p >= head,
        60_000,
        200,
      );
      await new Promise((r) => setTimeout(r, 3000)); // time enough for a resend to show up
      expect(received).toHaveLength(3);

      // The loop still works after the rebuild: the next change notifies each supporter once more.
      expect((await changeStatus(ideaId, 'planned')).status).toBe(200);
      const second = await eventually(
        async () => [...received],
        (r) => r.length >= 6,
        60_000,
        200,
      );
      await new Promise((r) => setTimeout(r, 2000));
      expect(received).toHaveLength(6);
      expect(second.slice(3).every((m) => m.data.to === 'planned')).toBe(true);
      expect(new Set(received.map((m) => m.id)).size).toBe(6);
    });
  },
);
