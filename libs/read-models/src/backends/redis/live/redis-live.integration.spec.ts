import { randomUUID } from 'node:crypto';
import { describeWithServices, testRedis, type TestRedis } from '@rapport/testing';
import { describeCustomerAnnotationsContract } from '../../../contract/customer-annotations-contract';
import {
  describeLiveChangesContract,
  describePresenceContract,
} from '../../../contract/live-contract';
import { type PresenceStore } from '../../../live/presence-store';
import { type LiveChanges } from '../../../live/live-changes';
import { RedisCustomerAnnotations } from '../annotations/redis-customer-annotations';
import { dumpRedisKeys } from '../dump-redis-keys';
import { redisAdapterUnderTest } from '../redis-adapter-under-test.spec-helper';
import { redisLiveChanges, redisPresenceStore } from './redis-live';

describeWithServices(['redis'], 'redis annotations, live changes and presence', (urls) => {
  describeCustomerAnnotationsContract(
    redisAdapterUnderTest('redis', urls.redis, (redis, prefix) => {
      return new RedisCustomerAnnotations(redis, prefix);
    }),
  );

  // A projector and a query API: two processes, two connections, one channel.
  const pairs = new Map<unknown, { redis: TestRedis[]; live: LiveChanges[] }>();
  describeLiveChangesContract({
    name: 'redis',
    open: async () => {
      const prefix = `rapport-test:${randomUUID()}:`;
      const a = testRedis(urls.redis);
      const b = testRedis(urls.redis);
      const pair = {
        publisher: redisLiveChanges(() => a, prefix),
        subscriber: redisLiveChanges(() => b, prefix),
      };
      pairs.set(pair, { redis: [a, b], live: [pair.publisher, pair.subscriber] });
      return pair;
    },
    close: async (pair) => {
      const opened = pairs.get(pair);
      pairs.delete(pair);
      for (const live of opened?.live ?? []) await live.close();
      for (const redis of opened?.redis ?? []) await redis.quit();
    },
  });

  const stores = new Map<PresenceStore, { redis: TestRedis; prefix: string }>();
  describePresenceContract({
    name: 'redis',
    open: async () => {
      const redis = testRedis(urls.redis);
      const prefix = `rapport-test:${randomUUID()}:`;
      const store = redisPresenceStore(() => redis, prefix);
      stores.set(store, { redis, prefix });
      return store;
    },
    close: async (store) => {
      const { redis, prefix } = stores.get(store) as { redis: TestRedis; prefix: string };
      stores.delete(store);
      // Every session left or lapsed: nothing of presence stays behind.
      expect(await dumpRedisKeys(redis, prefix)).toEqual({});
      await redis.quit();
    },
  });
});
