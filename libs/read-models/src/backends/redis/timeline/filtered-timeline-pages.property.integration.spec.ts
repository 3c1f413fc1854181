import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  CHANNELS,
  compareNewestFirst,
  DIRECTIONS,
  encodeCursor,
  identityKey,
  matchesTimelineFilter,
  type TimelineEntry,
  type TimelinePage,
  type TimelineQuery,
} from '@rapport/domain';
import { describeWithServices, testRedis, type TestRedis } from '@rapport/testing';
import { entry } from '../../../contract/timeline-read-model-contract';
import { allPagesOf } from './all-timeline-pages.spec-helper';
import { RedisTimelineReadModel } from './redis-timeline-read-model';
import { unlinkKeysStartingWith } from '../unlink-keys';

const BASE = Date.UTC(2026, 0, 1);
const at = (minute: number) => new Date(BASE + minute * 60_000).toISOString();
const TYPES = ['touchpoint.recorded', 'survey.responded'];

/** The pages the filter's definition gives: every entry filtered, ordered, then cut. */
function naivePages(entries: readonly TimelineEntry[], query: TimelineQuery): TimelinePage[] {
  const from = query.from ? Date.parse(query.from) : -Infinity;
  const to = query.to ? Date.parse(query.to) : Infinity;
  const key = (e: TimelineEntry) => ({
    occurredAtMs: Date.parse(e.occurredAt),
    position: e.position,
  });
  const matching = entries
    .filter((e) => matchesTimelineFilter(e, query))
    .filter((e) => key(e).occurredAtMs >= from && key(e).occurredAtMs < to)
    .sort((a, b) => compareNewestFirst(key(a), key(b)));
  const pages: TimelinePage[] = [];
  for (let start = 0; ; start += query.limit) {
    const items = matching.slice(start, start + query.limit);
    const more = matching.length > start + query.limit;
    pages.push({ items, nextCursor: more ? encodeCursor(items[items.length - 1]) : null });
    if (!more) return pages;
  }
}

const subset = <T>(values: readonly T[]) =>
  fc.option(fc.subarray([...values], { minLength: 1 }), { nil: undefined });

describeWithServices(['redis'], 'filtered timeline pages (property, real Redis)', (urls) => {
  let redis: TestRedis;
  const prefixes: string[] = [];

  beforeAll(() => {
    redis = testRedis(urls.redis);
  });
  afterAll(async () => {
    for (const prefix of prefixes) {
      await unlinkKeysStartingWith(redis, prefix);
    }
    await redis.quit();
  });

  it('gives, through the indexes, exactly the pages of the filter over every entry', async () => {
    const entryFacts = fc.record({
      minute: fc.integer({ min: 0, max: 40 }), // few minutes: runs of ties
      channel: fc.constantFrom(...CHANNELS),
      direction: fc.constantFrom(...DIRECTIONS),
      type: fc.constantFrom(...TYPES),
    });
    const query = fc.record({
      channels: subset(CHANNELS),
      directions: subset(DIRECTIONS),
      types: subset([...TYPES, 'zzz']),
      from: fc.option(fc.integer({ min: 0, max: 40 }).map(at), { nil: undefined }),
      to: fc.option(fc.integer({ min: 0, max: 41 }).map(at), { nil: undefined }),
      limit: fc.integer({ min: 1, max: 12 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryFacts, { minLength: 0, maxLength: 120 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(query, { minLength: 1, maxLength: 6 }),
        // Timelines below, crossing (in a batch or between two) and past the index threshold.
        fc.integer({ min: 0, max: 130 }),
        async (facts, batchSize, queries, indexFrom) => {
          const prefix = `rapport-test:${randomUUID()}:`;
          prefixes.push(prefix);
          const model = new RedisTimelineReadModel(redis, { prefix, indexFrom });
          const entries = facts.map((f, i) =>
            entry(i + 1, {
              occurredAt: at(f.minute),
              channel: f.channel,
              direction: f.direction,
              type: f.type,
            }),
          );
          for (let after = 0; after < entries.length; after += batchSize) {
            const upTo = Math.min(after + batchSize, entries.length);
            await model.apply(entries.slice(after, upTo), { after, upTo });
          }
          // Indexed whole past the threshold, not at all below it.
          const bucket = identityKey(entry(1).identity); // every entry's
          const typed = await Promise.all(
            TYPES.map((t) => redis.zcard(`${prefix}{timeline}:timeline-by:type:${t}:${bucket}`)),
          );
          const indexedEntries = typed.reduce((sum, n) => sum + n, 0);
          expect(indexedEntries).toBe(entries.length > indexFrom ? entries.length : 0);
          for (const q of queries) {
            const cleaned = Object.fromEntries(
              Object.entries(q).filter(([, v]) => v !== undefined),
            ) as unknown as TimelineQuery;
            expect({ q: cleaned, pages: await allPagesOf(model, cleaned, 500) }).toEqual({
              q: cleaned,
              pages: naivePages(entries, cleaned),
            });
          }
          await unlinkKeysStartingWith(redis, prefix);
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
