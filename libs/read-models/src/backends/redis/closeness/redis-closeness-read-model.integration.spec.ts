import { randomUUID } from 'node:crypto';
import { closenessConfig, DEFAULT_CLOSENESS_CONFIG } from '@rapport/domain';
import { describeWithServices, testRedis } from '@rapport/testing';
import { type ClosenessReadModel } from '../../../closeness/closeness-read-model';
import {
  closenessFact,
  describeClosenessReadModelContract,
} from '../../../contract/closeness-read-model-contract';
import { RedisLease } from '../redis-lease';
import { RedisClosenessReadModel } from './redis-closeness-read-model';
import { redisAdapterUnderTest } from '../redis-adapter-under-test.spec-helper';
import { FencedOutError } from '../fenced-batch-script';

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
});
