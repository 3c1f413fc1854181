import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY_MS, DEFAULT_CLOSENESS_CONFIG } from '@rapport/domain';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { describeWithServices, logWorkload, testRedis } from '@rapport/testing';
import { closenessProjection } from '../../../closeness/closeness-projection';
import { ClosenessQueries } from '../../../closeness/closeness-queries';
import { openReadModels, type ReadModels } from '../../../open-read-models';
import { CheckpointMismatchError } from '../../../projection/checkpoint';
import { ProjectionRunner } from '../../../projection/projection-runner';
import { MemoryClosenessReadModel } from '../../memory/memory-closeness-read-model';
import { RedisClosenessReadModel } from './redis-closeness-read-model';

const T = Date.parse('2026-06-01T00:00:00Z');
const CHANNELS = ['in_person', 'phone', 'chat', 'email', 'social'] as const;

/** Touchpoints of 40 customers over 200 days, as ingestion logs them. */
async function seed(store: EventStore): Promise<number> {
  let head = 0;
  for (let n = 0; n < 400; n += 1) {
    const customerId = `00000000-0000-4000-8000-${String(n % 40).padStart(12, '0')}`;
    const occurredAt = new Date(T - ((n * 7919) % 200) * DAY_MS - n * 1000).toISOString();
    const result = await store.append(`customer-${customerId}`, [
      {
        id: randomUUID(),
        type: 'touchpoint.recorded.v1',
        data: {
          channel: CHANNELS[n % CHANNELS.length],
          direction: n % 3 === 0 ? 'outbound' : 'inbound',
          identity: { kind: 'email', value: `c${n % 40}@example.com` },
          conversationId: `t-${n % 7}`,
          sentiment: ((n % 11) - 5) / 5,
        },
        metadata: {
          ce: { id: `m-${n}`, source: 'tests', time: occurredAt },
          occurredAt,
          customerId,
          identityKey: `email:c${n % 40}@example.com`,
        },
      },
    ]);
    head = result.position;
  }
  return head;
}

describeWithServices(['redis'], 'closeness projection into Redis under a lease', (urls) => {
  it('gives the same ranking and the same numbers as the memory model over the same log', async () => {
    const store = await openEventStore(
      `sqlite:${join(mkdtempSync(join(tmpdir(), 'rapport-closeness-')), 'log.db')}`,
    );
    const prefix = `rapport-test:${randomUUID()}:`;
    const redisModels: ReadModels = openReadModels(`${urls.redis}?prefix=${prefix}`);
    const memoryModels: ReadModels = openReadModels('memory');
    const log = () => undefined;
    try {
      const head = await seed(store);
      const inRedis = await redisModels.startClosenessProjection(store, log);
      const inMemory = await memoryModels.startClosenessProjection(store, log);
      await inRedis.waitFor(head, 20_000);
      await inMemory.waitFor(head, 20_000);
      expect(inRedis.status()).toMatchObject({ name: 'closeness', position: head });

      const redisQueries = new ClosenessQueries(redisModels.closeness);
      const memoryQueries = new ClosenessQueries(memoryModels.closeness);
      for (const at of [T, T + 30 * DAY_MS, T + 365 * DAY_MS]) {
        const top = await redisQueries.top(50, at);
        expect(top).toHaveLength(40);
        expect(top).toEqual(await memoryQueries.top(50, at));
        expect(await redisQueries.atRisk(45 * DAY_MS, 10, at)).toEqual(
          await memoryQueries.atRisk(45 * DAY_MS, 10, at),
        );
        const id = top[0].customerId;
        const report = await redisQueries.customer(id, at, { days: 5 });
        expect(report).toEqual(await memoryQueries.customer(id, at, { days: 5 }));
        expect(report?.score).toBe(top[0].score);
      }
      await inRedis.stop();
      await inMemory.stop();
    } finally {
      await redisModels.closeness.clear();
      const redis = testRedis(urls.redis);
      await redis.del(`${prefix}{closeness}:lease:closeness`);
      await redis.quit();
      await redisModels.close();
      await memoryModels.close();
      await store.close();
    }
  });

  it('pipelines a rebuild (the next batch planned while Redis runs the last) to the same answers', async () => {
    const store = await openEventStore(
      `sqlite:${join(mkdtempSync(join(tmpdir(), 'rapport-closeness-')), 'log.db')}`,
    );
    const redis = testRedis(urls.redis);
    const prefix = `rapport-test:${randomUUID()}:`;
    const inRedis = new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, { prefix });
    const inMemory = new MemoryClosenessReadModel(DEFAULT_CLOSENESS_CONFIG);
    try {
      // Touchpoints, identity decisions (links, a phone joining people) and ideas.
      const sizes = { touchpoints: 3000, identities: 150, phoneEvery: 40, batchSize: 500 };
      for (const batch of logWorkload(sizes))
        for (const outcome of await store.appendMany(batch)) if (!outcome.ok) throw outcome.error;
      const head = await store.headPosition();
      expect(inRedis.maxInFlight).toBe(1);
      // Small batches: many of them in flight one after another.
      const runners = [inRedis, inMemory].map(
        (model) => new ProjectionRunner(store, closenessProjection(model), { batchSize: 37 }),
      );
      await Promise.all(runners.map((r) => r.start()));
      await Promise.all(runners.map((r) => r.waitFor(head, 60_000)));
      await Promise.all(runners.map((r) => r.stop()));
      expect(await inRedis.checkpoint()).toBe(head);

      const redisQueries = new ClosenessQueries(inRedis);
      const memoryQueries = new ClosenessQueries(inMemory);
      const at = (await inMemory.latestContactMs()) as number;
      const top = await redisQueries.top(500, at);
      expect(top.length).toBeGreaterThan(100);
      expect(top).toEqual(await memoryQueries.top(500, at));
      expect(await redisQueries.atRisk(30 * DAY_MS, 50, at)).toEqual(
        await memoryQueries.atRisk(30 * DAY_MS, 50, at),
      );
      for (const { customerId } of top.slice(0, 5))
        expect(await redisQueries.customer(customerId, at, { days: 3 })).toEqual(
          await memoryQueries.customer(customerId, at, { days: 3 }),
        );
    } finally {
      await inRedis.clear();
      await redis.quit();
      await store.close();
    }
  });

  it('refuses the batch after a refused one, though issued before the first came back', async () => {
    const redis = testRedis(urls.redis);
    const prefix = `rapport-test:${randomUUID()}:`;
    const model = new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, { prefix });
    const fact = (position: number) => ({
      kind: 'touchpoint' as const,
      eventId: `e-${position}`,
      position,
      customerId: '00000000-0000-4000-8000-000000000001',
      bucket: 'email:~aaaaaaaaaaaaaaaaaaaaaa',
      channel: 'chat' as const,
      direction: 'inbound' as const,
      occurredAtMs: T + position * 1000,
      sentiment: 0,
    });
    try {
      await model.apply([fact(1)], { after: 0, upTo: 1 });
      // Not at 5: refused. The next, continuing it, is sent before that answer comes back.
      const first = model.apply([fact(6)], { after: 5, upTo: 6 });
      const second = model.apply([fact(7)], { after: 6, upTo: 7 });
      await expect(first).rejects.toBeInstanceOf(CheckpointMismatchError);
      await expect(second).rejects.toBeInstanceOf(CheckpointMismatchError);
      expect(await model.checkpoint()).toBe(1);
      expect((await model.customer(fact(1).customerId))?.state.facts).toBe(1);
      // From the model's checkpoint again, nothing of the refused batches is assumed.
      await model.apply([fact(2)], { after: 1, upTo: 2 });
      expect((await model.customer(fact(1).customerId))?.state.facts).toBe(2);
    } finally {
      await model.clear();
      await redis.quit();
    }
  });
});
