import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { describeWithServices } from '@rapport/testing';
import { describeIdeaBacklogReadModelContract } from '../contract/idea-backlog-read-model-contract';
import { type IdeaBacklogReadModel } from '../ideas/idea-backlog-read-model';
import { dumpRedisKeys } from './dump-redis-keys';
import { RedisLease } from './redis-lease';
import { RedisIdeaBacklogReadModel } from './redis-idea-backlog-read-model';
import { FencedOutError } from './redis-timeline-read-model';

const testPrefix = () => `rapport-test:${randomUUID()}:`;

describeWithServices(['redis'], 'redis idea backlog read model', (urls) => {
  const clients = new Map<IdeaBacklogReadModel, Redis>();
  describeIdeaBacklogReadModelContract({
    name: 'redis',
    open: async () => {
      const redis = new Redis(urls.redis);
      const model = new RedisIdeaBacklogReadModel(redis, { prefix: testPrefix() });
      clients.set(model, redis);
      return model;
    },
    close: async (model) => {
      const redis = clients.get(model) as Redis;
      clients.delete(model);
      await model.clear();
      expect(await dumpRedisKeys(redis, (model as RedisIdeaBacklogReadModel).prefix)).toEqual({});
      await redis.quit();
    },
  });

  it('writes nothing once the writer lost its lease', async () => {
    const redis = new Redis(urls.redis);
    const prefix = testPrefix();
    try {
      const lease = new RedisLease(redis, { key: `${prefix}lease:ideas`, ttlMs: 5000 });
      await lease.hold({ onLost: () => undefined });
      const model = new RedisIdeaBacklogReadModel(redis, { prefix, fence: lease.fence() });
      await model.apply([], { after: 0, upTo: 1 });
      lease.stop();
      await lease.release();
      await expect(model.apply([], { after: 1, upTo: 2 })).rejects.toBeInstanceOf(FencedOutError);
      expect(await model.checkpoint()).toBe(1);
      await model.clear();
    } finally {
      await redis.quit();
    }
  });
});
