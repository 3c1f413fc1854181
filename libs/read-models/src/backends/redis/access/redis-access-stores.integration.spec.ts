import { randomUUID } from 'node:crypto';
import { describeWithServices, testRedis, type TestRedis } from '@rapport/testing';
import { type AccessStores } from '../../../access/access-stores';
import { describeAccessStoresContract } from '../../../contract/access-stores-contract';
import { unlinkKeysStartingWith } from '../unlink-keys';
import { redisAccessStores } from './redis-access-stores';

describeWithServices(['redis'], 'redis access stores', (urls) => {
  const opened = new Map<AccessStores, { redis: TestRedis; prefix: string }>();
  describeAccessStoresContract({
    name: 'redis',
    open: async () => {
      const redis = testRedis(urls.redis);
      const prefix = `rapport-test:${randomUUID()}:`;
      const stores = redisAccessStores(() => redis, prefix);
      opened.set(stores, { redis, prefix });
      return stores;
    },
    close: async (stores) => {
      const { redis, prefix } = opened.get(stores) as { redis: TestRedis; prefix: string };
      opened.delete(stores);
      await unlinkKeysStartingWith(redis, prefix);
      await redis.quit();
    },
  });
});
