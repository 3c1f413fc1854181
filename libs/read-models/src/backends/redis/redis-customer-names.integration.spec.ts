import { describeWithServices, testRedis } from '@rapport/testing';
import { describeCustomerNamesContract } from '../../contract/customer-names-contract';
import { describeMergeSuggestionQueueContract } from '../../contract/merge-suggestion-queue-contract';
import { type TimelineReadModel } from '../../timeline/timeline-read-model';
import { dumpRedisKeys } from './dump-redis-keys';
import { redisAdapterUnderTest } from './redis-adapter-under-test.spec-helper';
import { RedisTimelineReadModel } from './timeline/redis-timeline-read-model';
import { entry } from '../../contract/timeline-read-model-contract';

describeWithServices(['redis'], 'redis name index and suggestion queue', (urls) => {
  describeMergeSuggestionQueueContract(
    redisAdapterUnderTest<RedisTimelineReadModel, TimelineReadModel>(
      'redis',
      urls.redis,
      (redis, prefix) => new RedisTimelineReadModel(redis, { prefix }),
    ),
  );

  describeCustomerNamesContract(
    redisAdapterUnderTest<RedisTimelineReadModel, TimelineReadModel>(
      'redis',
      urls.redis,
      (redis, prefix) => new RedisTimelineReadModel(redis, { prefix }),
    ),
  );

  it('keeps names out of key names: one index key, one hash, both emptied by an erasure', async () => {
    const redis = testRedis(urls.redis);
    const prefix = `rapport-test:names-${Date.now()}:`;
    const model = new RedisTimelineReadModel(redis, { prefix });
    try {
      const identity = { kind: 'email', value: '~pseudonym' } as const;
      await model.apply([entry(1, { identity, customerId: 'c-1' })], { after: 0, upTo: 1 }, [], {
        names: new Map([
          ['email:~pseudonym', { name: 'Zoë Quist', occurredAt: entry(1).occurredAt, position: 1 }],
        ]),
      });
      const keys = Object.keys(await dumpRedisKeys(redis, prefix)).map((key) => prefix + key);
      expect(keys.some((key) => /zo|quist/i.test(key))).toBe(false);
      expect(keys).toEqual(
        expect.arrayContaining([
          `${prefix}{timeline}:names:index`,
          `${prefix}{timeline}:names:latest`,
        ]),
      );
      await model.apply([], { after: 1, upTo: 2 }, [], {
        erasures: [
          {
            customerId: 'c-1',
            erasedCustomerIds: ['c-1'],
            identityKeys: ['email:~pseudonym'],
            reason: 't',
            requestedBy: 't',
            at: entry(2).occurredAt,
          },
        ],
      });
      const dump = JSON.stringify(await dumpRedisKeys(redis, prefix));
      expect(dump).not.toMatch(/zo|quist/i);
    } finally {
      await model.clear();
      await redis.quit();
    }
  });
});
