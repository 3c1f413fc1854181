import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeCursor, type TimelinePage, type TimelineQuery } from '@rapport/domain';
import { describeWithServices, testRedis, type TestRedis } from '@rapport/testing';
import {
  describeTimelineReadModelContract,
  entry,
} from '../../../contract/timeline-read-model-contract';
import { CheckpointMismatchError } from '../../../projection/checkpoint';
import { MemoryTimelineReadModel } from '../../memory/memory-timeline-read-model';
import { type TimelineReadModel } from '../../../timeline/timeline-read-model';
import { dumpRedisKeys } from '../dump-redis-keys';
import { unlinkKeysStartingWith } from '../unlink-keys';
import { RedisLease } from '../redis-lease';
import { FencedOutError } from '../fenced-batch-script';
import { RedisTimelineReadModel } from './redis-timeline-read-model';
import { redisAdapterUnderTest } from '../redis-adapter-under-test.spec-helper';
import { allPagesOf } from './all-timeline-pages.spec-helper';

const testPrefix = () => `rapport-test:${randomUUID()}:`;

/** The names of the commands the client sent while `action` ran (one per round trip here). */
async function commandsSentDuring(
  redis: TestRedis,
  action: () => Promise<unknown>,
): Promise<string[]> {
  const spy = jest.spyOn(redis, 'sendCommand');
  try {
    await action();
    return spy.mock.calls.map(([command]) => command.name);
  } finally {
    spy.mockRestore();
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

describeWithServices(['redis'], 'redis timeline read model', (urls) => {
  // Twice: a model that never read its checkpoint folds identity events on the graph it
  // reads from Redis; one that found the model empty keeps the whole graph it writes.
  for (const [name, keepsGraph] of [
    ['redis', false],
    ['redis, graph kept by its writer', true],
  ] as const)
    describeTimelineReadModelContract(
      redisAdapterUnderTest<RedisTimelineReadModel, TimelineReadModel>(
        name,
        urls.redis,
        async (redis, prefix) => {
          const model = new RedisTimelineReadModel(redis, { prefix });
          if (keepsGraph) expect(await model.checkpoint()).toBe(0);
          return model;
        },
      ),
    );

  describe('redis specifics', () => {
    let redis: TestRedis;
    let prefix: string;
    const extraClients: TestRedis[] = [];
    const client = () => {
      const extra = testRedis(urls.redis);
      extraClients.push(extra);
      return extra;
    };

    beforeEach(async () => {
      redis = testRedis(urls.redis);
      prefix = testPrefix();
      await redis.ping(); // connected, so a counted command is one written to the socket
    });
    afterEach(async () => {
      // Every test writes under `prefix` (other prefixes of a test start with it).
      await unlinkKeysStartingWith(redis, prefix);
      await Promise.all(extraClients.splice(0).map((extra) => extra.quit().catch(() => undefined)));
      await redis.quit();
    });

    it('applies a batch of 500 entries in one round trip, and reads a page in a few', async () => {
      const model = new RedisTimelineReadModel(redis, { prefix });
      const batch = Array.from({ length: 500 }, (_, i) =>
        entry(i + 1, {
          customerId: i % 2 ? 'c-1' : `c-${i + 2}`,
          identity: { kind: 'email', value: i % 2 ? 'ann@example.com' : `u${i}@example.com` },
        }),
      );

      expect(
        await commandsSentDuring(redis, () => model.apply(batch, { after: 0, upTo: 500 })),
      ).toEqual(['eval']); // the script's text each time: in order even after a SCRIPT FLUSH
      expect(await model.checkpoint()).toBe(500);
      // Filed under the identity; c-1 (a customer the graph has not met) is its stream's.
      expect(await redis.zcard(`${prefix}{timeline}:timeline:email:ann@example.com`)).toBe(250);
      expect(await redis.hlen(`${prefix}{timeline}:identity`)).toBe(251);

      let first!: TimelinePage;
      expect(
        await commandsSentDuring(
          redis,
          async () => (first = await model.page('c-1', { limit: 50 })),
        ),
        // The customer's buckets (two replies, one round trip; the graph has not met this
        // customer, so one more lookup: whether its identity was placed with another), the page.
      ).toEqual(['hget', 'hget', 'hget', 'zrange']);
      expect(first.items.map((e) => e.position)).toEqual(
        Array.from({ length: 50 }, (_, i) => 500 - 2 * i),
      );
      let second!: TimelinePage;
      const cursor = decodeCursor(first.nextCursor as string) ?? undefined;
      expect(
        await commandsSentDuring(
          redis,
          async () => (second = await model.page('c-1', { limit: 50, cursor })),
        ),
      ).toEqual(['hget', 'hget', 'hget', 'zrange']);
      expect(second.items[0].position).toBe(400);
      expect(second.nextCursor).not.toBeNull();
    });

    it('answers a filter that matches nothing from its empty index, reading no entry', async () => {
      const model = new RedisTimelineReadModel(redis, { prefix });
      const batch = Array.from({ length: 2000 }, (_, i) => entry(i + 1));
      await model.apply(batch, { after: 0, upTo: 2000 });
      let page!: TimelinePage;
      // The first filtered page checks, once, that the bucket's indexes hold every entry.
      const checked = await commandsSentDuring(redis, () =>
        model.page('c-1', { limit: 50, types: ['zzz'] }),
      );
      expect(checked.filter((c) => c === 'zcard')).toHaveLength(3);
      const replies: unknown[] = [];
      const spy = jest.spyOn(redis, 'zrange');
      const sent = await commandsSentDuring(redis, async () => {
        page = await model.page('c-1', { limit: 50, types: ['zzz'] });
      });
      for (const result of spy.mock.results) replies.push(await result.value);
      spy.mockRestore();
      expect(page).toEqual({ items: [], nextCursor: null });
      // The buckets, then one read of the index, which is empty: none of the 2,000 entries.
      expect(sent).toEqual(['hget', 'hget', 'hget', 'zrange']);
      expect(replies).toEqual([[]]);
      // A filter that matches some entries reads the page and the entries it names, no more.
      const onlyChat = await commandsSentDuring(redis, async () => {
        page = await model.page('c-1', { limit: 5, channels: ['chat'] });
      });
      expect(page.items.map((e) => e.channel)).toEqual(Array(5).fill('chat'));
      expect(onlyChat.filter((c) => c === 'zrange')).toHaveLength(1 + 6); // index + 6 entries
    });

    it('scans the timeline of a bucket filed before the indexes were kept, until rebuilt', async () => {
      const model = new RedisTimelineReadModel(redis, { prefix, indexFrom: 0 });
      const entries = Array.from({ length: 30 }, (_, i) => entry(i + 1));
      await model.apply(entries, { after: 0, upTo: 30 });
      // As a model projected by the code before: no index keys.
      const indexes = Object.keys(await dumpRedisKeys(redis, `${prefix}{timeline}:timeline-by:`));
      expect(indexes.length).toBeGreaterThan(0);
      await unlinkKeysStartingWith(redis, `${prefix}{timeline}:timeline-by:`);
      const outbound = entries.filter((e) => e.direction === 'outbound').reverse();
      const reader = new RedisTimelineReadModel(redis, { prefix, indexFrom: 0 });
      const page = await reader.page('c-1', { limit: 100, directions: ['outbound'] });
      expect(page.items.map((e) => e.position)).toEqual(outbound.map((e) => e.position));
    });

    it('indexes a timeline once it holds more than `indexFrom` entries, every entry then', async () => {
      const model = new RedisTimelineReadModel(redis, { prefix, indexFrom: 3 });
      const entries = Array.from({ length: 6 }, (_, i) =>
        entry(i + 1, { direction: i % 2 ? 'outbound' : 'inbound' }),
      );
      const indexKeys = async () =>
        Object.keys(await dumpRedisKeys(redis, `${prefix}{timeline}:timeline-by:`));
      const outbound = async () =>
        (await model.page('c-1', { limit: 10, directions: ['outbound'] })).items.map(
          (e) => e.position,
        );
      await model.apply(entries.slice(0, 2), { after: 0, upTo: 2 });
      await model.apply(entries.slice(2, 3), { after: 2, upTo: 3 });
      expect(await indexKeys()).toEqual([]);
      expect(await outbound()).toEqual([2]);
      await model.apply(entries.slice(3, 5), { after: 3, upTo: 5 });
      const outboundIndex = `${prefix}{timeline}:timeline-by:direction:outbound:email:ann@example.com`;
      expect(await redis.zrange(outboundIndex, 0, -1)).toEqual([
        '0000000000000002',
        '0000000000000004',
      ]);
      await model.apply(entries.slice(5), { after: 5, upTo: 6 });
      expect(await redis.zcard(outboundIndex)).toBe(3);
      const typed = (await indexKeys()).filter((k) => k.startsWith('type:'));
      const cards = await Promise.all(
        typed.map((k) => redis.zcard(`${prefix}{timeline}:timeline-by:${k}`)),
      );
      expect(cards.reduce((sum, n) => sum + n, 0)).toBe(6);
      expect(await outbound()).toEqual([6, 4, 2]);
    });

    it("an erasure deletes the identity's filter indexes with its timeline", async () => {
      const model = new RedisTimelineReadModel(redis, { prefix, indexFrom: 0 });
      const bob = { kind: 'email', value: 'bob@example.com' } as const;
      const entries = Array.from({ length: 12 }, (_, i) =>
        entry(i + 1, {
          ...(i % 2 ? { customerId: 'c-b', identity: bob } : {}),
          ...(i % 3 === 0 ? { type: 'survey.responded', channel: 'survey' as const } : {}),
        }),
      );
      await model.apply(entries, { after: 0, upTo: 12 });
      const keysOf = async (who: string) =>
        Object.keys(await dumpRedisKeys(redis, prefix)).filter((k) => k.endsWith(who));
      expect(
        (await keysOf('bob@example.com')).filter((k) => k.startsWith('{timeline}:timeline-by:')),
      ).not.toEqual([]);
      await model.apply([], { after: 12, upTo: 13 }, [], {
        erasures: [
          {
            customerId: 'c-b',
            erasedCustomerIds: ['c-b'],
            identityKeys: ['email:bob@example.com'],
            reason: 'ticket-21',
            requestedBy: 'cli',
            at: '2026-03-01T09:00:00.000Z',
          },
        ],
      });
      expect(await keysOf('bob@example.com')).toEqual([]);
      expect((await keysOf('ann@example.com')).length).toBeGreaterThan(3);
    });

    it('remembers at most `identitiesRemembered` identities, setting a forgotten one again', async () => {
      const model = new RedisTimelineReadModel(redis, { prefix, identitiesRemembered: 2 });
      const of = (position: number, who: string) =>
        entry(position, {
          customerId: `c-${who}`,
          identity: { kind: 'email', value: `${who}@x.example` },
        });
      await model.apply([of(1, 'a'), of(2, 'b'), of(3, 'c')], { after: 0, upTo: 3 });
      // 'a' was the least recently written: forgotten. 'b' and 'c' are remembered.
      await redis.hdel(`${prefix}{timeline}:identity`, 'email:a@x.example', 'email:c@x.example');
      await model.apply([of(4, 'a'), of(5, 'c')], { after: 3, upTo: 5 });
      // The forgotten one is set again (same value); the remembered one is left alone.
      expect(await redis.hget(`${prefix}{timeline}:identity`, 'email:a@x.example')).toBe('c-a');
      expect(await redis.hget(`${prefix}{timeline}:identity`, 'email:c@x.example')).toBeNull();
      expect((await model.page('c-a', { limit: 10 })).items.map((e) => e.position)).toEqual([4, 1]);
    });

    it('sets an identity once per run, and again after Redis lost the model', async () => {
      const model = new RedisTimelineReadModel(redis, { prefix });
      const ann = (position: number) => entry(position, { customerId: 'c-ann' });
      await model.apply([ann(1)], { after: 0, upTo: 1 });
      // The next batch leaves the identity fields alone: this writer set them.
      await redis.hdel(`${prefix}{timeline}:identity`, 'email:ann@example.com');
      await model.apply([ann(2)], { after: 1, upTo: 2 });
      expect(await redis.hget(`${prefix}{timeline}:identity`, 'email:ann@example.com')).toBeNull();

      // Redis comes back empty: the batch after is refused, and the runner's resume (which
      // reads the checkpoint) rebuilds the model with the identity set again.
      await unlinkKeysStartingWith(redis, prefix);
      await expect(model.apply([ann(3)], { after: 2, upTo: 3 })).rejects.toBeInstanceOf(
        CheckpointMismatchError,
      );
      expect(await model.checkpoint()).toBe(0);
      await model.apply([ann(1), ann(2), ann(3)], { after: 0, upTo: 3 });
      expect(await redis.hget(`${prefix}{timeline}:identity`, 'email:ann@example.com')).toBe(
        'c-ann',
      );
      expect(await model.resolveCustomer('c-ann')).toBe('c-ann');
      expect((await model.page('c-ann', { limit: 10 })).items).toHaveLength(3);
    });

    it('sets a plain value once, and again when its identity comes back after an erasure', async () => {
      const model = new RedisTimelineReadModel(redis, { prefix });
      const directory = `${prefix}{timeline}:identity-plain`;
      const person = (name: string) => {
        const identity = { kind: 'email', value: `~${name.padEnd(22, '0')}` } as const;
        const key = `email:${identity.value}`;
        return {
          key,
          entry: (position: number) => entry(position, { customerId: `c-${name}`, identity }),
          personal: { plainIdentities: new Map([[key, `${name}@example.com`]]) },
          erasure: {
            erasures: [
              {
                customerId: `c-${name}`,
                erasedCustomerIds: [`c-${name}`],
                identityKeys: [key],
                reason: 'ticket-22',
                requestedBy: 'cli',
                at: '2026-03-01T09:00:00.000Z',
              },
            ],
          },
        };
      };
      const bob = person('bob');
      await model.apply([bob.entry(1)], { after: 0, upTo: 1 }, [], bob.personal);
      expect(await redis.hget(directory, bob.key)).toBe('bob@example.com');
      // The next batch leaves it alone: this writer set it.
      await redis.hdel(directory, bob.key);
      await model.apply([bob.entry(2)], { after: 1, upTo: 2 }, [], bob.personal);
      expect(await redis.hget(directory, bob.key)).toBeNull();

      // Carl's first batch is still in flight when he is erased: it must not count as written
      // once the erasure has deleted it.
      const carl = person('carl');
      await Promise.all([
        model.apply([carl.entry(3)], { after: 2, upTo: 3 }, [], carl.personal),
        model.apply([], { after: 3, upTo: 4 }, [], carl.erasure),
      ]);
      expect(await redis.hget(directory, carl.key)).toBeNull();
      // Staff lift the suppression and he writes again: the directory has him again.
      await model.apply([], { after: 4, upTo: 5 }, [], { unerased: ['c-carl'] });
      await model.apply([carl.entry(6)], { after: 5, upTo: 6 }, [], carl.personal);
      expect(await model.plainIdentities([carl.key])).toEqual(
        new Map([[carl.key, 'carl@example.com']]),
      );

      // Dan, written long before, is erased, staff lift the suppression and he writes again,
      // all three batches called before the erasure ran: the last one must not leave out what
      // the writer remembered of him before the erasure deleted it.
      const dan = person('dan');
      await model.apply([dan.entry(7)], { after: 6, upTo: 7 }, [], dan.personal);
      await Promise.all([
        model.apply([], { after: 7, upTo: 8 }, [], dan.erasure),
        model.apply([], { after: 8, upTo: 9 }, [], { unerased: ['c-dan'] }),
        model.apply([dan.entry(10)], { after: 9, upTo: 10 }, [], dan.personal),
      ]);
      expect(await model.plainIdentities([dan.key])).toEqual(
        new Map([[dan.key, 'dan@example.com']]),
      );
      expect(await redis.hget(`${prefix}{timeline}:identity`, dan.key)).toBe('c-dan');
      expect((await model.page('c-dan', { limit: 10 })).items.map((e) => e.position)).toEqual([10]);
    });

    it('pages exactly like the memory model through ties, sparse filters and time bounds', async () => {
      // Many entries share a millisecond, so cursors land inside runs of ties and a page
      // needs several chunks.
      let seed = 7;
      const random = (n: number) => (seed = (seed * 48271) % 2147483647) % n; // MINSTD
      const base = Date.UTC(2026, 0, 1);
      const entries = Array.from({ length: 400 }, (_, i) =>
        entry(i + 1, {
          occurredAt: new Date(base + random(30) * 60_000).toISOString(),
          ...(i % 17 === 0 ? { type: 'survey.responded', channel: 'survey' as const } : {}),
        }),
      );
      const memory = new MemoryTimelineReadModel();
      const model = new RedisTimelineReadModel(redis, { prefix });
      for (let after = 0; after < entries.length; after += 64) {
        const range = { after, upTo: Math.min(after + 64, entries.length) };
        await memory.apply(entries.slice(range.after, range.upTo), range);
        await model.apply(entries.slice(range.after, range.upTo), range);
      }
      const at = (minute: number) => new Date(base + minute * 60_000).toISOString();
      const queries: TimelineQuery[] = [
        { limit: 1 },
        { limit: 7 },
        { limit: 500 },
        { limit: 1, types: ['survey.responded'] },
        { limit: 3, channels: ['email'], directions: ['outbound'] },
        { limit: 2, from: at(10), to: at(20) },
        { limit: 4, channels: ['chat', 'social'], from: at(29) },
        { limit: 5, to: at(1) },
        { limit: 3, channels: ['in_person'], from: at(31) },
      ];
      for (const query of queries) {
        const expected = await allPagesOf(memory, query, 1000);
        expect({ query, pages: await allPagesOf(model, query, 1000) }).toEqual({
          query,
          pages: expected,
        });
      }
      // Guards the comparison itself: the data do have runs of ties.
      expect(new Set(entries.map((e) => e.occurredAt)).size).toBeLessThanOrEqual(30);
    });

    it('continues a multi-chunk page correctly when entries are appended in between', async () => {
      const model = new RedisTimelineReadModel(redis, { prefix });
      // Outbound: 1…20; on the survey channel: 10, 20 and 21…40. The outbound index is the
      // smaller one, so it is read, and the channel is checked on its entries: a sparse match.
      const sameMs = (position: number) =>
        entry(position, {
          occurredAt: '2026-03-01T10:00:00.000Z',
          direction: position <= 20 || position > 40 ? 'outbound' : 'inbound',
          channel: position % 10 === 0 || (position > 20 && position <= 40) ? 'survey' : 'chat',
        });
      await model.apply(
        Array.from({ length: 40 }, (_, i) => sameMs(i + 1)),
        { after: 0, upTo: 40 },
      );
      // After the first chunk (positions 20…13 of the index), five newer outbound entries of
      // the same millisecond arrive and shift every offset in it by five.
      const zrange = redis.zrange.bind(redis) as unknown as (
        ...args: unknown[]
      ) => Promise<string[]>;
      const spy = jest.spyOn(redis, 'zrange').mockImplementationOnce((async (
        ...args: unknown[]
      ) => {
        const reply = await zrange(...args);
        await model.apply(
          Array.from({ length: 5 }, (_, i) => sameMs(41 + i)),
          { after: 40, upTo: 45 },
        );
        return reply;
      }) as never);
      const query = { limit: 1, channels: ['survey' as const], directions: ['outbound' as const] };
      const page = await model.page('c-1', query);
      expect(spy.mock.calls.length).toBeGreaterThan(1); // it did read a second chunk
      spy.mockRestore();
      expect(page.items.map((e) => e.position)).toEqual([20]);
      expect(page.nextCursor).not.toBeNull();
      const cursor = decodeCursor(page.nextCursor as string) ?? undefined;
      const next = await model.page('c-1', { ...query, cursor });
      expect(next.items.map((e) => e.position)).toEqual([10]);
      expect(next.nextCursor).toBeNull();
    });

    it('refuses an entry it cannot store before writing any of the batch', async () => {
      const model = new RedisTimelineReadModel(redis, { prefix });
      await expect(
        model.apply([entry(1), entry(2, { occurredAt: 'yesterday' })], { after: 0, upTo: 2 }),
      ).rejects.toBeInstanceOf(RangeError);
      expect(await dumpRedisKeys(redis, prefix)).toEqual({});
    });

    it('clears only its own keys: a lease under the prefix and a nested v2 model survive', async () => {
      const live = new RedisTimelineReadModel(redis, { prefix, indexFrom: 0 });
      const v2 = new RedisTimelineReadModel(redis, { prefix: `${prefix}v2:`, indexFrom: 0 });
      await live.apply([entry(1), entry(2, { customerId: 'c-2' })], { after: 0, upTo: 2 });
      await v2.apply([entry(1)], { after: 0, upTo: 1 });
      await redis.set(`${prefix}{timeline}:lease:timeline`, 'someone');
      await live.clear();
      expect(Object.keys(await dumpRedisKeys(redis, prefix))).toEqual([
        'v2:{timeline}:activity:email:ann@example.com',
        'v2:{timeline}:checkpoint:timeline',
        'v2:{timeline}:identity',
        'v2:{timeline}:stream-identity',
        `v2:{timeline}:timeline-by:channel:${entry(1).channel}:email:ann@example.com`,
        'v2:{timeline}:timeline-by:direction:inbound:email:ann@example.com',
        'v2:{timeline}:timeline-by:type:touchpoint.recorded:email:ann@example.com',
        'v2:{timeline}:timeline:email:ann@example.com',
        '{timeline}:lease:timeline',
      ]);
      expect(await live.checkpoint()).toBe(0);
      expect(await v2.checkpoint()).toBe(1);
    });

    describe('lease and fence', () => {
      const ttlMs = 300;
      const leaseKey = () => `${prefix}{timeline}:lease:timeline`;

      it('keeps a second holder out while the first renews; it takes over once renewing stops', async () => {
        const a = new RedisLease(client(), { key: leaseKey(), ttlMs, owner: 'a' });
        const b = new RedisLease(client(), { key: leaseKey(), ttlMs, owner: 'b' });
        const lostA = jest.fn();
        await a.hold({ onLost: lostA });
        expect(a.token).toMatch(/^a:/);
        for (let i = 0; i < 6; i += 1) {
          await sleep(ttlMs / 2); // 3 ttl in all: the key would long have expired unrenewed
          expect(await b.tryAcquire()).toBe(false);
        }
        expect(await redis.get(leaseKey())).toBe(a.token);
        expect(lostA).not.toHaveBeenCalled();

        a.stop();
        const stoppedAt = Date.now();
        await b.hold({ onLost: jest.fn() });
        expect(Date.now() - stoppedAt).toBeLessThan(ttlMs + ttlMs / 3 + 200);
        expect(await redis.get(leaseKey())).toBe(b.token);
        b.stop();
      });

      it('calls onLost once for a holder that stalled while another took over', async () => {
        const a = new RedisLease(client(), { key: leaseKey(), ttlMs, owner: 'a' });
        const b = new RedisLease(client(), { key: leaseKey(), ttlMs, owner: 'b' });
        const lostA = jest.fn();
        const lostB = jest.fn();
        await a.hold({ onLost: lostA });
        // A believes it renews, but Redis hears nothing (a GC pause, a partition).
        const stalled = jest.spyOn(a, 'renew').mockResolvedValue(true);
        await b.hold({ onLost: lostB });
        stalled.mockRestore();
        await waitUntil(() => lostA.mock.calls.length > 0, 2 * ttlMs);
        await sleep(ttlMs); // no second call
        expect(lostA).toHaveBeenCalledTimes(1);
        expect(lostB).not.toHaveBeenCalled();
        expect(await redis.get(leaseKey())).toBe(b.token);
        b.stop();
      });

      it('calls onLost when Redis cannot confirm a renewal for a whole ttl', async () => {
        const unreachable = client();
        const a = new RedisLease(unreachable, { key: leaseKey(), ttlMs });
        const lost = jest.fn();
        await a.hold({ onLost: lost });
        unreachable.disconnect();
        const cutAt = Date.now();
        await waitUntil(() => lost.mock.calls.length > 0, 3 * ttlMs);
        expect(Date.now() - cutAt).toBeLessThanOrEqual(ttlMs + ttlMs / 3 + 100);
        expect(lost).toHaveBeenCalledTimes(1);
      });

      it('releases only its own lease, and a stopped hold() rejects', async () => {
        const a = new RedisLease(client(), { key: leaseKey(), ttlMs: 10_000 });
        const b = new RedisLease(client(), { key: leaseKey(), ttlMs: 10_000 });
        expect(await a.tryAcquire()).toBe(true);
        const waiting = b.hold({ onLost: jest.fn() });
        b.stop();
        await expect(waiting).rejects.toThrow(/stopped before it was acquired/);
        expect(await b.release()).toBe(false);
        expect(await redis.get(leaseKey())).toBe(a.token);
        expect(await a.release()).toBe(true);
        expect(await b.tryAcquire()).toBe(true);
        expect(await redis.get(leaseKey())).toBe(b.token);
      });

      it('refuses writes from a projector whose lease was taken over, writing nothing', async () => {
        const a = new RedisLease(client(), { key: leaseKey(), ttlMs });
        expect(await a.tryAcquire()).toBe(true);
        const modelA = new RedisTimelineReadModel(redis, { prefix, fence: a.fence() });
        await modelA.apply([entry(1)], { after: 0, upTo: 1 });

        await sleep(ttlMs + 100); // A stalls past its ttl without renewing...
        const b = new RedisLease(client(), { key: leaseKey(), ttlMs: 10_000 });
        expect(await b.tryAcquire()).toBe(true); // ...and B takes over
        const before = await dumpRedisKeys(redis, prefix);

        const fenced = modelA.apply([entry(2)], { after: 1, upTo: 2 });
        await expect(fenced).rejects.toBeInstanceOf(FencedOutError);
        await expect(fenced).rejects.toMatchObject({
          fence: { key: leaseKey(), token: a.token },
          holder: b.token,
        });
        // Fenced out beats a checkpoint mismatch: the writer must stop, not resume.
        await expect(modelA.apply([entry(1)], { after: 0, upTo: 1 })).rejects.toBeInstanceOf(
          FencedOutError,
        );
        expect(await dumpRedisKeys(redis, prefix)).toEqual(before);

        const modelB = new RedisTimelineReadModel(redis, { prefix, fence: b.fence() });
        await expect(modelB.apply([entry(3)], { after: 2, upTo: 3 })).rejects.toBeInstanceOf(
          CheckpointMismatchError,
        );
        await modelB.apply([entry(2)], { after: 1, upTo: 2 });
        expect((await modelB.page('c-1', { limit: 10 })).items.map((e) => e.position)).toEqual([
          2, 1,
        ]);
      });
    });

    describe('dumpRedisKeys', () => {
      const entries = Array.from({ length: 60 }, (_, i) =>
        entry(i + 1, {
          customerId: `c-${i % 3}`,
          identity: { kind: 'email', value: `u${i % 3}@example.com` },
        }),
      );

      it('is equal for a model fed batch by batch and one rebuilt in one go', async () => {
        const live = new RedisTimelineReadModel(redis, { prefix: `${prefix}live:`, indexFrom: 5 });
        for (let after = 0; after < entries.length; after += 7) {
          const upTo = Math.min(after + 7, entries.length);
          await live.apply(entries.slice(after, upTo), { after, upTo });
        }
        const rebuilt = new RedisTimelineReadModel(redis, {
          prefix: `${prefix}rebuilt:`,
          indexFrom: 5,
        });
        await rebuilt.apply(entries, { after: 0, upTo: entries.length });

        const dump = await dumpRedisKeys(redis, `${prefix}live:`);
        expect(dump).toEqual(await dumpRedisKeys(redis, `${prefix}rebuilt:`));
        const indexKeys = entries
          .flatMap((e) => {
            const bucket = `email:${e.identity.value}`;
            return [
              `{timeline}:timeline-by:channel:${e.channel}:${bucket}`,
              `{timeline}:timeline-by:direction:${e.direction}:${bucket}`,
              `{timeline}:timeline-by:type:${e.type}:${bucket}`,
            ];
          })
          .filter((key, i, all) => all.indexOf(key) === i);
        expect(Object.keys(dump)).toEqual([
          '{timeline}:activity:email:u0@example.com',
          '{timeline}:activity:email:u1@example.com',
          '{timeline}:activity:email:u2@example.com',
          '{timeline}:checkpoint:timeline',
          '{timeline}:identity',
          '{timeline}:stream-identity',
          ...indexKeys.sort(),
          '{timeline}:timeline:email:u0@example.com',
          '{timeline}:timeline:email:u1@example.com',
          '{timeline}:timeline:email:u2@example.com',
        ]);
        expect(dump['{timeline}:checkpoint:timeline']).toBe('60');
        expect(dump['{timeline}:identity']).toEqual([
          ['email:u0@example.com', 'c-0'],
          ['email:u1@example.com', 'c-1'],
          ['email:u2@example.com', 'c-2'],
        ]);
        const timeline = dump['{timeline}:timeline:email:u0@example.com'] as [string, number][];
        expect(timeline).toHaveLength(20);
        expect(timeline[0]).toEqual([
          `0000000000000001${JSON.stringify(entries[0])}`,
          Date.parse(entries[0].occurredAt),
        ]);
      });

      it('differs when one entry differs', async () => {
        const one = new RedisTimelineReadModel(redis, { prefix: `${prefix}one:` });
        const other = new RedisTimelineReadModel(redis, { prefix: `${prefix}other:` });
        await one.apply(entries, { after: 0, upTo: 60 });
        await other.apply(
          entries.map((e) => (e.position === 30 ? { ...e, subject: 'changed' } : e)),
          { after: 0, upTo: 60 },
        );
        const a = await dumpRedisKeys(redis, `${prefix}one:`);
        const b = await dumpRedisKeys(redis, `${prefix}other:`);
        expect(a).not.toEqual(b);
        const changed = '{timeline}:timeline:email:u2@example.com';
        expect({ ...a, [changed]: null }).toEqual({ ...b, [changed]: null });
      });

      it('refuses a key type a read model never writes', async () => {
        await redis.rpush(`${prefix}list`, 'x');
        await expect(dumpRedisKeys(redis, prefix)).rejects.toThrow(/list/);
      });
    });
  });
});
