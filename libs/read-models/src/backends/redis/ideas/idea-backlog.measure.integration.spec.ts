import { randomUUID } from 'node:crypto';
import { ideaSubmitted, ideaVoted, type IdeaEvent } from '@rapport/domain';
import { type RecordedEvent } from '@rapport/event-store';
import { describeWithServices, testRedis } from '@rapport/testing';
import { ideaBacklogProjection, listBacklog } from '../../../ideas/idea-backlog-projection';
import { MemoryIdeaBacklogReadModel } from '../../memory/memory-idea-backlog-read-model';
import { RedisIdeaBacklogReadModel } from './redis-idea-backlog-read-model';
import { unlinkKeysStartingWith } from '../unlink-keys';

/** Measures only when asked: RAPPORT_MEASURE=1 npx jest libs/read-models/src/backends/redis/ideas/idea-backlog.measure.spec.ts --maxWorkers=1 */
const describeMeasure: typeof describeWithServices =
  process.env.RAPPORT_MEASURE === '1'
    ? describeWithServices
    : (_names, title) =>
        describe(title, () => it.skip('set RAPPORT_MEASURE=1 to measure', () => undefined));

describeMeasure(
  ['redis'],
  'idea backlog: projection rate and list latency (2,000 ideas × 25 votes)',
  (urls) => {
    jest.setTimeout(300_000);
    it('list latency', async () => {
      const IDEAS = 2000,
        VOTES = 25;
      const events: IdeaEvent[] = [];
      const origin = { kind: 'staff' as const, staffId: 's' };
      for (let i = 0; i < IDEAS; i++) {
        const ideaId = `idea-${i}`;
        events.push(
          ideaSubmitted({
            ideaId,
            title: `Idea number ${i} about dark mode ${i % 7}`,
            customerId: `c${i}`,
            origin,
            at: '2026-03-01T00:00:00.000Z',
          }),
        );
        for (let v = 0; v < VOTES; v++)
          events.push(
            ideaVoted({
              ideaId,
              customerId: `c${(i * 31 + v) % 5000}`,
              origin,
              at: `2026-03-${String(1 + (v % 28)).padStart(2, '0')}T00:00:00.000Z`,
            }),
          );
      }
      const recorded: RecordedEvent[] = events.map((e, i) => ({
        id: `${i}`,
        streamId: 's',
        revision: 0,
        position: i + 1,
        type: e.type,
        data: e.data,
        metadata: {},
        recordedAt: '',
      }));
      const redis = testRedis(urls.redis);
      const prefix = `rapport-measure:${randomUUID()}:`;
      for (const [name, model] of [
        ['memory', new MemoryIdeaBacklogReadModel()],
        ['redis', new RedisIdeaBacklogReadModel(redis, { prefix })],
      ] as const) {
        const target = ideaBacklogProjection(model);
        let t = Date.now();
        for (let i = 0; i < recorded.length; i += 500)
          await target.applyBatch(recorded.slice(i, i + 500), {
            after: i,
            upTo: Math.min(i + 500, recorded.length),
          });
        const projectMs = Date.now() - t;
        const times: number[] = [];
        for (let k = 0; k < 10; k++) {
          t = performance.now();
          await listBacklog(
            model,
            { statuses: ['new'], sort: 'priority', priority: 'count', limit: 50 },
            { now: '2026-03-31T00:00:00.000Z' },
          );
          times.push(performance.now() - t);
        }
        const q: number[] = [];
        for (let k = 0; k < 10; k++) {
          t = performance.now();
          await listBacklog(
            model,
            { q: 'dark mode 3', sort: 'trend', priority: 'count', trendDays: 7, limit: 50 },
            { now: '2026-03-31T00:00:00.000Z' },
          );
          q.push(performance.now() - t);
        }
        times.sort((a, b) => a - b);
        q.sort((a, b) => a - b);
        console.log(
          `${name}: ${recorded.length} events projected in ${projectMs} ms (${Math.round((recorded.length / projectMs) * 1000)}/s); list ${IDEAS} ideas × ${VOTES} votes by priority: median ${times[5].toFixed(1)} ms; search+trend: median ${q[5].toFixed(1)} ms`,
        );
      }
      await unlinkKeysStartingWith(redis, prefix);
      await redis.quit();
    });
  },
);
