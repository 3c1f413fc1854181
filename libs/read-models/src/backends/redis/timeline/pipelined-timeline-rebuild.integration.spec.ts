import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '@rapport/event-store';
import { describeWithServices, logWorkload, testRedis, type TestRedis } from '@rapport/testing';
import { ProjectionRunner } from '../../../projection/projection-runner';
import { timelineProjection } from '../../../timeline/timeline-projection';
import { dumpRedisKeys } from '../dump-redis-keys';
import { RedisTimelineReadModel } from './redis-timeline-read-model';
import { unlinkKeysStartingWith } from '../unlink-keys';

describeWithServices(['redis'], 'pipelined timeline rebuild into Redis', (urls) => {
  let redis: TestRedis;
  let store: SqliteEventStore;
  const prefix = `rapport-test:${randomUUID()}:`;

  beforeAll(async () => {
    redis = testRedis(urls.redis);
    store = new SqliteEventStore({ path: ':memory:' });
    // Touchpoints with the identity decisions resolution appends: first-seen links, phone
    // links and merge suggestions, spread over the whole log.
    for (const batch of logWorkload({ touchpoints: 600, identities: 40, phoneEvery: 5 }))
      for (const outcome of await store.appendMany(batch)) if (!outcome.ok) throw outcome.error;
  });
  afterAll(async () => {
    await unlinkKeysStartingWith(redis, prefix);
    await redis.quit();
    await store.close();
  });

  it('equals a build of the whole log in one batch and one that reads the graph back each batch, with the graph folded across small batches in flight', async () => {
    const head = await store.headPosition();
    // About 15 entries per identity: indexes start part-way, in some batch of 7 or between two.
    const indexFrom = 8;
    const piped = new RedisTimelineReadModel(redis, { prefix: `${prefix}piped:`, indexFrom });
    const runner = new ProjectionRunner(store, timelineProjection(piped), { batchSize: 7 });
    await runner.start();
    await runner.stop();
    expect(await piped.checkpoint()).toBe(head);

    const whole = new RedisTimelineReadModel(redis, { prefix: `${prefix}whole:`, indexFrom });
    const oneByOne = { ...timelineProjection(whole), maxInFlight: 0 };
    const wholeRunner = new ProjectionRunner(store, oneByOne, { batchSize: 100_000 });
    await wholeRunner.start();
    await wholeRunner.stop();

    // Each batch through a new model instance, which has no graph of its own and reads it
    // back from Redis: what a projector that resumes a non-empty model does.
    const readBack = `${prefix}read-back:`;
    const fresh = () =>
      timelineProjection(new RedisTimelineReadModel(redis, { prefix: readBack, indexFrom }));
    const readBackRunner = new ProjectionRunner(
      store,
      {
        ...fresh(),
        maxInFlight: 0,
        applyBatch: (events, range) => fresh().applyBatch(events, range),
      },
      { batchSize: 7 },
    );
    await readBackRunner.start();
    await readBackRunner.stop();

    const dump = await dumpRedisKeys(redis, `${prefix}piped:`);
    expect(dump).toEqual(await dumpRedisKeys(redis, `${prefix}whole:`));
    expect(dump).toEqual(await dumpRedisKeys(redis, readBack));
    // The graph was there to get wrong: links and merge suggestions were folded.
    expect(Number(dump['{timeline}:graph:events'])).toBeGreaterThan(150);
    expect((dump['{timeline}:graph:pairs'] as [string, string][]).length).toBeGreaterThan(0);
    expect(Object.keys(dump).filter((key) => key.startsWith('{timeline}:timeline:'))).toHaveLength(
      40,
    );
    expect(Object.keys(dump).some((key) => key.startsWith('{timeline}:timeline-by:'))).toBe(true);
  }, 120_000);
});
