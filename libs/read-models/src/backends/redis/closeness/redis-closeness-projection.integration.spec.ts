import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { DAY_MS } from '@rapport/domain';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { describeWithServices } from '@rapport/testing';
import { ClosenessQueries } from '../../../closeness/closeness-queries';
import { openReadModels, type ReadModels } from '../../../open-read-models';

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
      const redis = new Redis(urls.redis);
      await redis.del(`${prefix}lease:closeness`);
      await redis.quit();
      await redisModels.close();
      await memoryModels.close();
      await store.close();
    }
  });
});
