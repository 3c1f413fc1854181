import { randomUUID } from 'node:crypto';
import { openEventStore } from '@rapport/event-store';
import { describeWithServices, eventually, logWorkload, testRedis } from '@rapport/testing';
import { openReadModels } from '../../open-read-models';
import { mastersOf } from './redis-connection';
import { cleanRebuildDump, liveModelsAt, readModelDump } from './rebuild-comparison';
import { unlinkKeysStartingWith } from './unlink-keys';

/*
 * The read models on a three-master Redis Cluster (ADR 0037), in every run: the rest of the
 * suite runs on the cluster with RAPPORT_TEST_REDIS=cluster.
 */
describeWithServices(['redisCluster'], 'read models on a Redis Cluster', (urls) => {
  jest.setTimeout(120_000);

  it('projects every model into one slot per projection, spread over the masters, equal to a clean rebuild', async () => {
    const prefix = `rapport-test:cluster-${randomUUID().slice(0, 8)}:`;
    const redis = testRedis(urls.redisCluster);
    const store = await openEventStore('sqlite::memory:');
    const readModels = openReadModels(`${urls.redisCluster}/0?prefix=${prefix}`);
    try {
      // Enough touchpoints for an idea and votes, phones for links and merge suggestions.
      for (const batch of logWorkload({ touchpoints: 2100, identities: 60, phoneEvery: 50 }))
        for (const outcome of await store.appendMany(batch)) if (!outcome.ok) throw outcome.error;
      const log = () => undefined;
      await readModels.startTimelineProjection(store, log);
      await readModels.startClosenessProjection(store, log);
      await readModels.ideas.startProjection(store, log);
      await liveModelsAt(redis, prefix, await store.headPosition());

      // Every key of a projection is in its tag's slot; the tags land on several masters.
      const perMaster = await Promise.all(
        (await mastersOf(redis)).map(async (node) => (await node.keys(`${prefix}*`)).length),
      );
      expect(perMaster.filter((n) => n > 0).length).toBeGreaterThan(1);
      const keys = (await Promise.all((await mastersOf(redis)).map((n) => n.keys(`${prefix}*`))))
        .flat()
        .sort();
      const slots = new Map<string, Set<number>>();
      for (const key of keys) {
        const tag = /\{([^}]*)\}/.exec(key)?.[1] ?? '(none)';
        const slot = Number(await redis.cluster('KEYSLOT', key));
        slots.set(tag, (slots.get(tag) ?? new Set()).add(slot));
      }
      expect([...slots.keys()]).toEqual(expect.arrayContaining(['timeline', 'closeness', 'ideas']));
      for (const [tag, inSlots] of slots)
        if (tag !== '(none)') expect([tag, inSlots.size]).toEqual([tag, 1]);

      // The queries read through the cluster, and the models equal a clean rebuild's.
      const customerId = (await store.readAll({ after: 0 }))
        .map((e) => (e.metadata as { customerId?: unknown }).customerId)
        .find((id): id is string => typeof id === 'string') as string;
      const page = await eventually(
        () => readModels.timeline.page(customerId, { limit: 5 }),
        (found) => found.items.length > 0,
      );
      expect(page.items.length).toBeGreaterThan(0);
      expect((await readModels.closeness.top(5)).length).toBeGreaterThan(0);
      expect(await readModelDump(redis, prefix)).toEqual(
        await cleanRebuildDump(store, redis, prefix),
      );
    } finally {
      await readModels.close();
      await store.close();
      await unlinkKeysStartingWith(redis, prefix);
      const left = await Promise.all(
        (await mastersOf(redis)).map(async (node) => (await node.keys(`${prefix}*`)).length),
      );
      expect(left).toEqual(left.map(() => 0));
      await redis.quit();
    }
  });
});
