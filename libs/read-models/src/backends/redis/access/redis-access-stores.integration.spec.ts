import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { describeWithServices } from '@rapport/testing';
import { type AccessStores } from '../../../access/access-stores';
import { describeAccessStoresContract } from '../../../contract/access-stores-contract';
import { dumpRedisKeys } from '../dump-redis-keys';
import { redisAccessStores } from './redis-access-stores';

describeWithServices(['redis'], 'redis access stores', (urls) => {
  const opened = new Map<AccessStores, { redis: Redis; prefix: string }>();
  describeAccessStoresContract({
    name: 'redis',
    open: async () => {
      const redis = new Redis(urls.redis);
      const prefix = `rapport-test:${randomUUID()}:`;
      const stores = redisAccessStores(() => redis, prefix);
      opened.set(stores, { redis, prefix });
      return stores;
    },
    close: async (stores) => {
      const { redis, prefix } = opened.get(stores) as { redis: Redis; prefix: string };
      opened.delete(stores);
      const keys = Object.keys(await dumpRedisKeys(redis, prefix));
      if (keys.length > 0) await redis.del(...keys.map((key) => prefix + key));
      await redis.quit();
    },
  });
});
