import { randomUUID } from 'node:crypto';
import { describeWithServices, testRedis } from '@rapport/testing';
import { describeIdeaBacklogReadModelContract } from '../../../contract/idea-backlog-read-model-contract';
import { type IdeaBacklogReadModel } from '../../../ideas/idea-backlog-read-model';
import { openEventStore } from '@rapport/event-store';
import { ideaStreamId, ideaSubmitted, ideaVoted } from '@rapport/domain';
import { ideaBacklogProjection } from '../../../ideas/idea-backlog-projection';
import { ProjectionRunner } from '../../../projection/projection-runner';
import { cleanRebuildDump, readModelDump } from '../rebuild-comparison';
import { RedisLease } from '../redis-lease';
import { RedisIdeaBacklogReadModel } from './redis-idea-backlog-read-model';
import { redisAdapterUnderTest } from '../redis-adapter-under-test.spec-helper';
import { FencedOutError } from '../fenced-batch-script';
import { unlinkKeysStartingWith } from '../unlink-keys';

const testPrefix = () => `rapport-test:${randomUUID()}:`;

describeWithServices(['redis'], 'redis idea backlog read model', (urls) => {
  describeIdeaBacklogReadModelContract(
    redisAdapterUnderTest<RedisIdeaBacklogReadModel, IdeaBacklogReadModel>(
      'redis',
      urls.redis,
      (redis, prefix) => new RedisIdeaBacklogReadModel(redis, { prefix }),
    ),
  );

  it('writes nothing once the writer lost its lease', async () => {
    const redis = testRedis(urls.redis);
    const prefix = testPrefix();
    try {
      const lease = new RedisLease(redis, { key: `${prefix}{ideas}:lease:ideas`, ttlMs: 5000 });
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

  it('equals a clean rebuild from the log, key for key', async () => {
    const redis = testRedis(urls.redis);
    const prefix = testPrefix();
    const store = await openEventStore('sqlite::memory:');
    try {
      const origin = { kind: 'staff' as const, staffId: 's' };
      const at = '2026-03-01T00:00:00.000Z';
      for (const id of ['i1', 'i2']) {
        await store.append(ideaStreamId(id), [
          {
            id: randomUUID(),
            ...ideaSubmitted({ ideaId: id, title: id, customerId: 'c1', origin, at }),
          },
          { id: randomUUID(), ...ideaVoted({ ideaId: id, customerId: 'c1', origin, at }) },
          { id: randomUUID(), ...ideaVoted({ ideaId: id, customerId: 'c2', origin, at }) },
        ]);
      }
      const live = new RedisIdeaBacklogReadModel(redis, { prefix });
      const runner = new ProjectionRunner(store, ideaBacklogProjection(live), { batchSize: 2 });
      await runner.start();
      await runner.stop();
      const ideasOnly = (dump: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(dump).filter(([k]) => k.includes('ideas')));
      const rebuilt = ideasOnly(await cleanRebuildDump(store, redis, prefix));
      expect(Object.keys(rebuilt).length).toBeGreaterThan(3);
      expect(ideasOnly(await readModelDump(redis, prefix))).toEqual(rebuilt);
    } finally {
      await unlinkKeysStartingWith(redis, prefix);
      await store.close();
      await redis.quit();
    }
  });
});
