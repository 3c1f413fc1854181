import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  closenessConfig,
  DEFAULT_CLOSENESS_CONFIG,
  type ClosenessFact,
  type IdentityGraphEvent,
} from '@rapport/domain';
import { describeWithServices, testRedis } from '@rapport/testing';
import { type ClosenessReadModel } from '../../../closeness/closeness-read-model';
import {
  closenessFact,
  describeClosenessReadModelContract,
  erasureOf,
  firstSeen,
  merged,
  seenTogether,
  unmerged,
} from '../../../contract/closeness-read-model-contract';
import { MemoryClosenessReadModel } from '../../memory/memory-closeness-read-model';
import { RedisLease } from '../redis-lease';
import { RedisClosenessReadModel } from './redis-closeness-read-model';
import { redisAdapterUnderTest } from '../redis-adapter-under-test.spec-helper';
import { FencedOutError } from '../fenced-batch-script';
import { keysStartingWith } from '../unlink-keys';

const testPrefix = () => `rapport-test:${randomUUID()}:`;

describeWithServices(['redis'], 'redis closeness read model', (urls) => {
  describeClosenessReadModelContract(
    redisAdapterUnderTest<RedisClosenessReadModel, ClosenessReadModel>(
      'redis',
      urls.redis,
      (redis, prefix) => new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, { prefix }),
    ),
  );

  it('a writer that lost its lease writes nothing', async () => {
    const redis = testRedis(urls.redis);
    const prefix = testPrefix();
    try {
      const lease = new RedisLease(redis, {
        key: `${prefix}{closeness}:lease:closeness`,
        ttlMs: 5000,
      });
      await lease.hold({ onLost: () => undefined });
      const fenced = new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, {
        prefix,
        fence: lease.fence(),
      });
      await fenced.apply([closenessFact(1, 'c-1', 1)], { after: 0, upTo: 1 });
      lease.stop();
      await redis.set(`${prefix}{closeness}:lease:closeness`, 'someone-else');
      await expect(
        fenced.apply([closenessFact(2, 'c-1', 1)], { after: 1, upTo: 2 }),
      ).rejects.toBeInstanceOf(FencedOutError);
      expect(await fenced.checkpoint()).toBe(1);
      expect((await fenced.customer('c-1'))?.facts).toHaveLength(1);
      await fenced.clear();
      await redis.del(`${prefix}{closeness}:lease:closeness`);
    } finally {
      await redis.quit();
    }
  });

  it('keeps a model per configuration: other weights start empty, and clear leaves no key', async () => {
    const redis = testRedis(urls.redis);
    const prefix = testPrefix();
    try {
      const defaults = new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, { prefix });
      const other = new RedisClosenessReadModel(redis, closenessConfig({ halfLifeDays: 14 }), {
        prefix,
      });
      await defaults.apply([closenessFact(1, 'c-1', 1)], { after: 0, upTo: 1 });
      expect(await other.checkpoint()).toBe(0);
      expect(await other.top(10)).toEqual([]);
      await other.apply([closenessFact(1, 'c-1', 1)], { after: 0, upTo: 1 });
      expect((await other.top(1))[0].rankKey).not.toBe((await defaults.top(1))[0].rankKey);
      await defaults.clear();
      await other.clear();
      const left: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        left.push(...found);
        cursor = next;
      } while (cursor !== '0');
      expect(left).toEqual([]);
    } finally {
      await redis.quit();
    }
  });

  it('reads the top of the ranking and the latest contact in one command, as top and latestContactMs', async () => {
    const redis = testRedis(urls.redis);
    const model = new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, {
      prefix: testPrefix(),
    });
    try {
      expect(await model.topWithLatest(10)).toEqual({ ranked: [], latestContactMs: null });
      await model.apply(
        [closenessFact(1, 'c-1', 1), closenessFact(2, 'c-2', 3), closenessFact(3, 'c-3', 2)],
        { after: 0, upTo: 3 },
      );
      expect(await model.topWithLatest(2)).toEqual({
        ranked: await model.top(2),
        latestContactMs: await model.latestContactMs(),
      });
      expect((await model.top(2)).map((r) => r.customerId)).toHaveLength(2);
    } finally {
      await model.clear();
      await redis.quit();
    }
  });

  it('a writer that began on an empty model keeps the graph and streams, and answers as memory does', async () => {
    const redis = testRedis(urls.redis);
    const kept = new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, {
      prefix: testPrefix(),
    });
    const memory = new MemoryClosenessReadModel(DEFAULT_CLOSENESS_CONFIG);
    try {
      expect(await kept.checkpoint()).toBe(0); // empty: from here on it keeps what it writes
      const batches: Parameters<ClosenessReadModel['apply']>[] = [
        [[closenessFact(1, 'c-new', 5), closenessFact(2, 'c-b', 2)], { after: 0, upTo: 2 }],
        [
          [closenessFact(3, 'c-a', 9)],
          { after: 2, upTo: 6 },
          [firstSeen('c-a'), firstSeen('c-b'), seenTogether('c-new', 'c-a')],
        ],
        [
          [closenessFact(7, 'c-new', 1), closenessFact(8, 'c-b', 4)],
          { after: 6, upTo: 9 },
          [merged('c-a', 'c-b')],
        ],
        [[closenessFact(10, 'c-b', 1)], { after: 9, upTo: 11 }, [unmerged('c-a', 'c-b')]],
      ];
      for (const args of batches) {
        await kept.apply(...args);
        await memory.apply(...args);
      }
      await kept.erase([erasureOf('c-b', ['c-b'])], { after: 11, upTo: 12 });
      await memory.erase([erasureOf('c-b', ['c-b'])], { after: 11, upTo: 12 });
      const after: Parameters<ClosenessReadModel['apply']> = [
        [closenessFact(13, 'c-a', 2), closenessFact(14, 'c-c', 3)],
        { after: 12, upTo: 15 },
        [firstSeen('c-c')],
      ];
      await kept.apply(...after);
      await memory.apply(...after);
      expect(await kept.top(10)).toEqual(await memory.top(10));
      for (const id of ['c-a', 'c-b', 'c-c', 'c-new'])
        expect(await kept.customer(id)).toEqual(await memory.customer(id));
    } finally {
      await kept.clear();
      await redis.quit();
    }
  });
  it('a writer that keeps the whole graph and one reading Redis answer as memory does, and write the same keys', async () => {
    const redis = testRedis(urls.redis);
    const ids = ['c-1', 'c-2', 'c-3', 'c-4'];
    // Facts, first-seen and seen-together links, merges and unmerges; valid or not, as the
    // log may hold them (the graph refuses nothing when folding).
    const step = fc.oneof(
      fc.record({ op: fc.constant('fact' as const), a: fc.nat(3), daysAgo: fc.nat(90) }),
      fc.record({
        op: fc.constantFrom(
          'first' as const,
          'together' as const,
          'merge' as const,
          'unmerge' as const,
        ),
        a: fc.nat(3),
        b: fc.nat(3),
      }),
    );
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(step, { minLength: 1, maxLength: 30 }),
          fc.array(fc.nat(), { maxLength: 5 }),
          async (steps, cuts) => {
            const items: { fact?: ClosenessFact; event?: IdentityGraphEvent }[] = steps.map(
              (s, i) => {
                const a = ids[s.a];
                if (s.op === 'fact') return { fact: closenessFact(i + 1, a, s.daysAgo) };
                const b = ids[s.b];
                if (s.op === 'first') return { event: firstSeen(a) };
                if (s.op === 'together') return { event: seenTogether(a, b) };
                return { event: s.op === 'merge' ? merged(a, b) : unmerged(a, b) };
              },
            );
            const kept = new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, {
              prefix: testPrefix(),
            });
            const reading = new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, {
              prefix: testPrefix(),
            });
            const memory = new MemoryClosenessReadModel(DEFAULT_CLOSENESS_CONFIG);
            try {
              expect(await kept.checkpoint()).toBe(0); // from here on it keeps the graph
              const ends = [...new Set([...cuts.map((c) => c % items.length), items.length])]
                .filter((end) => end > 0)
                .sort((x, y) => x - y);
              let after = 0;
              for (const upTo of ends) {
                const batch = items.slice(after, upTo);
                const facts = batch.flatMap((item) => (item.fact ? [item.fact] : []));
                const events = batch.flatMap((item) => (item.event ? [item.event] : []));
                await kept.apply(facts, { after, upTo }, events);
                await reading.apply(facts, { after, upTo }, events);
                await memory.apply(facts, { after, upTo }, events);
                after = upTo;
              }
              // Both answer as the memory model does, and wrote the same keys.
              const expected = await memory.top(10);
              expect(await reading.top(10)).toEqual(expected);
              expect(await kept.top(10)).toEqual(expected);
              for (const id of ids) {
                const customer = await memory.customer(id);
                expect(await reading.customer(id)).toEqual(customer);
                expect(await kept.customer(id)).toEqual(customer);
              }
              expect(await contentsOf(redis, kept.keys.space)).toEqual(
                await contentsOf(redis, reading.keys.space),
              );
            } finally {
              await kept.clear();
              await reading.clear();
            }
          },
        ),
        {
          numRuns: 60,
          examples: [
            // A link placing an identity whose stream's customer the batch did not name: the
            // reading writer dropped that customer (it loaded no part of the graph for it).
            [
              [
                { op: 'together', a: 1, b: 2 },
                { op: 'fact', a: 2, daysAgo: 0 },
                { op: 'fact', a: 1, daysAgo: 0 },
                { op: 'together', a: 2, b: 0 },
                { op: 'fact', a: 0, daysAgo: 0 },
              ],
              [3],
            ],
            // A merge cycle: its survivor depended on how much of the graph was loaded.
            [
              [
                { op: 'merge', a: 3, b: 0 },
                { op: 'fact', a: 0, daysAgo: 0 },
                { op: 'merge', a: 0, b: 3 },
                { op: 'first', a: 0, b: 0 },
                { op: 'first', a: 1, b: 0 },
                { op: 'fact', a: 0, daysAgo: 0 },
              ],
              [5],
            ],
          ],
        },
      );
    } finally {
      await redis.quit();
    }
  });
});

/** Every key under `space` (the prefix cut off) with its whole contents, sorted. */
async function contentsOf(
  redis: ReturnType<typeof testRedis>,
  space: string,
): Promise<[string, unknown][]> {
  const out: [string, unknown][] = [];
  for (const key of (await keysStartingWith(redis, space)).sort()) {
    const type = await redis.type(key);
    const value =
      type === 'hash'
        ? await redis.hgetall(key)
        : type === 'zset'
          ? await redis.zrange(key, 0, -1, 'WITHSCORES')
          : await redis.get(key);
    out.push([key.slice(space.length), value]);
  }
  return out;
}
