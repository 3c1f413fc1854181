import { randomUUID } from 'node:crypto';
import {
  type ChannelIdentity,
  CUSTOMER_ERASED_V1,
  type CustomerErasedV1,
  customerMerged,
  DEFAULT_CLOSENESS_CONFIG,
  ERASED,
  ERASURE_STREAM,
  IDENTITY_GRAPH_STREAM,
  identityKey,
  identityLinked,
  ideaCommented,
  ideaMerged,
  ideaStreamId,
  ideaSubmitted,
  ideaVoted,
  mapPersonalFields,
} from '@rapport/domain';
import { type EventStore, openEventStore, type RecordedEvent } from '@rapport/event-store';
import { describeWithServices, testRedis, type TestRedis } from '@rapport/testing';
import { closenessProjection } from '../../closeness/closeness-projection';
import { ideaBacklogProjection } from '../../ideas/idea-backlog-projection';
import { ProjectionRunner } from '../../projection/projection-runner';
import { RedisClosenessReadModel } from './closeness/redis-closeness-read-model';
import { dumpRedisKeys } from './dump-redis-keys';
import { FencedOutError } from './fenced-batch-script';
import { RedisIdeaBacklogReadModel } from './ideas/redis-idea-backlog-read-model';
import { leaseKey } from './redis-keys';
import { RedisLease } from './redis-lease';
import { unlinkKeysStartingWith } from './unlink-keys';

/*
 * Closeness and the idea backlog in Redis after `customer.erased`: a rebuild from the log
 * — whose personal texts of the erased read as `ERASED` by then — equals the live models key
 * for key, no key is named by the person's ids or identities, no value outside the
 * (pseudonymous) identity graph names them, and none holds their plain values or texts.
 */

const T = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
const ANN = '00000000-0000-4000-8000-0000000000a1';
const ANN_OLD = '00000000-0000-4000-8000-0000000000a2';
const BOB = '00000000-0000-4000-8000-0000000000b1';
const STAFF = { kind: 'staff', staffId: 'agent-1' } as const;

/** An identity as the log holds it with pseudonymous keys: the pseudonym, the plain value beside it. */
function identity(kind: 'email' | 'phone', pseudonym: string, plainValue: string) {
  return { kind, value: `~${pseudonym.padEnd(22, '0')}`, plainValue } as ChannelIdentity & {
    plainValue: string;
  };
}
const ANN_EMAIL = identity('email', 'annEmail', 'ann@example.com');
const ANN_PHONE = identity('phone', 'annPhone', '+4915112345678');
const BOB_EMAIL = identity('email', 'bobEmail', 'bob@example.com');
const ANN_KEYS = [identityKey(ANN_EMAIL), identityKey(ANN_PHONE)];

const ERASURE: CustomerErasedV1 = {
  customerId: ANN,
  erasedCustomerIds: [ANN, ANN_OLD],
  identityKeys: [...ANN_KEYS].sort(),
  reason: 'ticket-17',
  requestedBy: 'cli',
  at: new Date(T).toISOString(),
};
/** What the person leaves nowhere: their ids, pseudonyms, plain values and texts. */
const ANN_TRACES = [
  ANN,
  ANN_OLD,
  ANN_EMAIL.value,
  ANN_PHONE.value,
  'ann@example.com',
  '+4915112345678',
  'tangerine',
];
const ANN_PLAIN = ['ann@example.com', '+4915112345678', 'tangerine'];

let n = 0;
const event = (type: string, data: unknown, metadata: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  type,
  data,
  metadata,
});

async function touchpoint(
  store: EventStore,
  customerId: string,
  who: ChannelIdentity & { plainValue: string },
  daysAgo: number,
  channel = 'email',
) {
  n += 1;
  const occurredAt = new Date(T - daysAgo * DAY - n * 1000).toISOString();
  await store.append(`customer-${customerId}`, [
    event(
      'touchpoint.recorded.v1',
      {
        channel,
        direction: 'inbound',
        identity: who,
        content: { text: `a tangerine for ${who.plainValue}` },
        conversationId: `t-${n % 3}`,
      },
      { customerId, occurredAt, identityKey: identityKey(who) },
    ),
  ]);
}

/** Ann (and the customer merged into her) and Bob: touchpoints, ideas, votes, a comment. */
async function seed(store: EventStore, erase: boolean): Promise<number> {
  const at = new Date(T - 20 * DAY).toISOString();
  const link = (who: ChannelIdentity, customerId: string) =>
    identityLinked({ identity: who, customerId, by: STAFF, at, reason: 'first-seen' });
  const strip = ({ kind, value }: ChannelIdentity) => ({ kind, value });
  await store.append(
    IDENTITY_GRAPH_STREAM,
    [
      link(strip(ANN_EMAIL), ANN),
      link(strip(ANN_PHONE), ANN_OLD),
      link(strip(BOB_EMAIL), BOB),
      customerMerged({
        survivorId: ANN,
        mergedId: ANN_OLD,
        evidence: [],
        reason: 'staff-decision',
        by: STAFF,
        at,
      }),
    ].map((e) => event(e.type, e.data)),
  );
  for (const days of [30, 12, 3]) await touchpoint(store, ANN, ANN_EMAIL, days);
  await touchpoint(store, ANN_OLD, ANN_PHONE, 8, 'phone');
  for (const days of [40, 2]) await touchpoint(store, BOB, BOB_EMAIL, days, 'chat');
  const viaChat = { kind: 'touchpoint', touchpointEventId: randomUUID(), channel: 'chat' } as const;
  const idea = (e: { type: string; data: unknown }) => event(e.type, e.data);
  await store.append(ideaStreamId('i1'), [
    idea(
      ideaSubmitted({
        ideaId: 'i1',
        title: 'Tangerine flavour',
        description: 'ann@example.com wants tangerine',
        customerId: ANN,
        origin: viaChat,
        at,
      }),
    ),
    idea(ideaVoted({ ideaId: 'i1', customerId: ANN, origin: viaChat, at })),
    idea(ideaVoted({ ideaId: 'i1', customerId: BOB, origin: STAFF, at })),
  ]);
  await store.append(ideaStreamId('i2'), [
    idea(ideaSubmitted({ ideaId: 'i2', title: 'Gift wrap', customerId: BOB, origin: STAFF, at })),
    idea(ideaVoted({ ideaId: 'i2', customerId: BOB, origin: STAFF, at })),
    idea(ideaVoted({ ideaId: 'i2', customerId: ANN_OLD, origin: STAFF, at })),
    idea(
      ideaCommented({
        ideaId: 'i2',
        commentId: 'k1',
        author: { kind: 'customer', customerId: ANN },
        text: 'tangerine paper please',
        at,
      }),
    ),
  ]);
  if (!erase) return store.headPosition();
  await store.append(ERASURE_STREAM, [event(CUSTOMER_ERASED_V1, ERASURE)]);
  // After the erasure: Bob carries on, and a merge brings Ann's vote back from the log by id.
  await touchpoint(store, BOB, BOB_EMAIL, 1, 'chat');
  const merge = {
    mergedIdeaId: 'i1',
    survivorIdeaId: 'i2',
    votes: [
      { customerId: ANN, origin: viaChat, at },
      { customerId: BOB, origin: STAFF, at },
    ],
    comments: [],
    staffId: 's1',
    at,
  };
  await store.append(ideaStreamId('i1'), [idea(ideaMerged({ ideaId: 'i1', ...merge }))]);
  await store.append(ideaStreamId('i2'), [idea(ideaMerged({ ideaId: 'i2', ...merge }))]);
  return store.headPosition();
}

/** The log as projections read it once the erased people's keys are destroyed. */
function readingErased(store: EventStore, gone: ReadonlySet<string>): EventStore {
  const reveal = (events: readonly RecordedEvent[]) =>
    events.map((e) => {
      const { data, metadata } = mapPersonalFields(e, (subject, _field, value) =>
        gone.has(subject) ? ERASED : value,
      );
      return { ...e, data, metadata };
    });
  return {
    positionsAreCounters: store.positionsAreCounters,
    append: (streamId, events, expected) => store.append(streamId, events, expected),
    appendMany: (requests) => store.appendMany(requests),
    readStream: async (streamId, options) => reveal(await store.readStream(streamId, options)),
    readAll: async (options) => reveal(await store.readAll(options)),
    headPosition: () => store.headPosition(),
    subscribeToAll: (options, handler) =>
      store.subscribeToAll(options, {
        ...handler,
        onEvents: (events) => handler.onEvents(reveal(events)),
      }),
    close: () => store.close(),
  };
}

describeWithServices(['redis'], 'closeness and idea backlog in Redis after an erasure', (urls) => {
  let redis: TestRedis;
  let store: EventStore;
  const prefixes: string[] = [];
  const prefix = () => {
    const p = `rapport-test:${randomUUID()}:`;
    prefixes.push(p);
    return p;
  };
  beforeEach(async () => {
    redis = testRedis(urls.redis);
    store = await openEventStore('sqlite::memory:');
  });
  afterEach(async () => {
    for (const p of prefixes.splice(0)) {
      await unlinkKeysStartingWith(redis, p);
    }
    await store.close();
    await redis.quit();
  });

  async function project(on: EventStore, at: string, batchSize?: number) {
    const closeness = new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, { prefix: at });
    const ideas = new RedisIdeaBacklogReadModel(redis, { prefix: at });
    for (const target of [closenessProjection(closeness), ideaBacklogProjection(ideas)]) {
      const runner = new ProjectionRunner(on, target, batchSize ? { batchSize } : {});
      await runner.start();
      await runner.stop();
    }
    return { closeness, ideas };
  }

  it('a rebuild from the log after the erasure equals the live models, key for key, and the person is in none', async () => {
    const head = await seed(store, true);
    const live = prefix();
    const { closeness, ideas } = await project(store, live, 3);
    expect(await closeness.checkpoint()).toBe(head);
    expect(await ideas.checkpoint()).toBe(head);
    const rebuilt = prefix();
    await project(readingErased(store, new Set(ERASURE.erasedCustomerIds)), rebuilt);
    const liveDump = await dumpRedisKeys(redis, live);
    expect(Object.keys(liveDump).some((k) => k.includes('facts:'))).toBe(true);
    expect(await dumpRedisKeys(redis, rebuilt)).toEqual(liveDump);

    // No key is named by the person; no value but the pseudonymous graph names them; no
    // value at all holds their plain values or texts.
    for (const trace of ANN_TRACES)
      expect(Object.keys(liveDump).filter((k) => k.includes(trace))).toEqual([]);
    const outsideGraph = Object.entries(liveDump).filter(([k]) => !k.includes(':graph:'));
    for (const trace of ANN_TRACES)
      expect(JSON.stringify(outsideGraph).toLowerCase()).not.toContain(trace.toLowerCase());
    for (const plain of ANN_PLAIN)
      expect(JSON.stringify(liveDump).toLowerCase()).not.toContain(plain.toLowerCase());

    // What is left: Bob, and Ann's votes as anonymous supporters, still counted.
    expect((await closeness.top(10)).map((r) => r.customerId)).toEqual([BOB]);
    expect(await closeness.customer(ANN_OLD)).toBeNull();
    const i2 = (await ideas.getMany(['i2'])).get('i2')!;
    expect(i2.votes).toHaveLength(2);
    expect(i2.votes.filter((v) => v.customerId.startsWith('anonymous-'))).toHaveLength(1);
    expect(i2.comments[0]).toMatchObject({ text: null, erased: true });
    const i1 = (await ideas.getMany(['i1'])).get('i1')!;
    expect(i1).toMatchObject({ title: null, erased: true, mergedInto: 'i2' });
    expect(await ideas.ideasOfCustomer(ANN)).toEqual([]);
  });

  it('an erasure is fenced like every batch: a writer that lost its lease deletes nothing, and the next one erases on replay', async () => {
    const before = await seed(store, false);
    await store.append(ERASURE_STREAM, [event(CUSTOMER_ERASED_V1, ERASURE)]);
    const at = prefix();
    // Each projection under its own lease, in its own slot (as the projector holds them).
    const leases = ['closeness', 'ideas'].map(
      (name) => new RedisLease(redis, { key: leaseKey(at, name), ttlMs: 5000 }),
    );
    for (const lease of leases) await lease.hold({ onLost: () => undefined });
    const [closenessFence, ideasFence] = leases.map((lease) => lease.fence());
    const closeness = new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, {
      prefix: at,
      fence: closenessFence,
    });
    const ideas = new RedisIdeaBacklogReadModel(redis, { prefix: at, fence: ideasFence });
    const events = await store.readAll({ after: 0 });
    const range = { after: 0, upTo: before };
    await closenessProjection(closeness).applyBatch(events.slice(0, -1), range);
    await ideaBacklogProjection(ideas).applyBatch(events.slice(0, -1), range);
    for (const lease of leases) {
      lease.stop();
      await redis.set(lease.key, 'someone-else');
    }
    const erasure = { after: before, upTo: before + 1 };
    await expect(
      closenessProjection(closeness).applyBatch(events.slice(-1), erasure),
    ).rejects.toBeInstanceOf(FencedOutError);
    await expect(
      ideaBacklogProjection(ideas).applyBatch(events.slice(-1), erasure),
    ).rejects.toBeInstanceOf(FencedOutError);
    expect(await closeness.checkpoint()).toBe(before);
    expect(await ideas.checkpoint()).toBe(before);
    expect((await closeness.customer(ANN))?.customerId).toBe(ANN);
    expect((await ideas.ideasOfCustomer(ANN)).length).toBeGreaterThan(0);

    // The projector that takes over replays from the checkpoint: the erasure is applied then.
    for (const lease of leases) await redis.del(lease.key);
    const next = {
      closeness: new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, { prefix: at }),
      ideas: new RedisIdeaBacklogReadModel(redis, { prefix: at }),
    };
    await closenessProjection(next.closeness).applyBatch(events.slice(-1), erasure);
    await ideaBacklogProjection(next.ideas).applyBatch(events.slice(-1), erasure);
    expect(await next.closeness.customer(ANN)).toBeNull();
    expect(await next.ideas.ideasOfCustomer(ANN)).toEqual([]);
    const dump = await dumpRedisKeys(redis, at);
    for (const trace of ANN_TRACES)
      expect(Object.keys(dump).filter((k) => k.includes(trace))).toEqual([]);
  });
});
