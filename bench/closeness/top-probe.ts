/**
 * A probe, not a benchmark: top-100 latency on PROBE_CUSTOMERS (100,000) customers written
 * straight into the ranking, last-contact and latest keys of a Redis closeness model at
 * PROBE_REDIS, the paths interleaved query by query so that load hits each alike: a bare
 * `ZREVRANGE 0 99 WITHSCORES`; `ClosenessQueries.top` over a model without `topWithLatest`
 * (the latest contact and the top script asked as two pipelined commands, as before it);
 * and `ClosenessQueries.top` as it is (one script call). PROBE_QUERIES (2,000) each.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_CLOSENESS_CONFIG } from '@rapport/domain';
import { ClosenessQueries, type ClosenessReadModel } from '@rapport/read-models';
import { RedisClosenessReadModel, unlinkKeysStartingWith } from '@rapport/read-models/internals';
import Redis from 'ioredis';

const CUSTOMERS = Number(process.env.PROBE_CUSTOMERS ?? 100_000);
const QUERIES = Number(process.env.PROBE_QUERIES ?? 2000);

async function main() {
  const redis = new Redis(process.env.PROBE_REDIS ?? 'redis://127.0.0.1:6379');
  const prefix = `probe-closeness-top:${Date.now()}:`;
  const model = new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, { prefix });
  try {
    const now = Date.parse('2026-06-01T00:00:00Z');
    for (let i = 0; i < CUSTOMERS; i += 1000) {
      const pipeline = redis.pipeline();
      for (let j = i; j < Math.min(i + 1000, CUSTOMERS); j++) {
        const id = `00000000-0000-5000-8000-${String(j).padStart(12, '0')}`;
        pipeline.zadd(model.keys.rank, ((j * 7919) % CUSTOMERS) / 97, id);
        pipeline.hset(model.keys.last, id, String(now - ((j * 31) % 365) * 86_400_000));
      }
      await pipeline.exec();
    }
    await redis.set(model.keys.latest, String(now));
    // The model as ClosenessQueries saw it before `topWithLatest`: two pipelined commands.
    const twoCommands = {
      config: model.config,
      latestContactMs: () => model.latestContactMs(),
      top: (limit: number) => model.top(limit),
    } as unknown as ClosenessReadModel;
    const paths: [string, () => Promise<unknown>][] = [
      [
        'baseline: ZREVRANGE 0 99 WITHSCORES',
        () => redis.zrevrange(model.keys.rank, 0, 99, 'WITHSCORES'),
      ],
      [
        'top 100, latest and top as two commands',
        () => new ClosenessQueries(twoCommands).top(100, now),
      ],
      ['top 100, one script call', () => new ClosenessQueries(model).top(100, now)],
    ];
    const samples = paths.map(() => [] as number[]);
    for (let q = -200; q < QUERIES; q++)
      for (let p = 0; p < paths.length; p++) {
        const t = process.hrtime.bigint();
        await paths[p][1]();
        if (q >= 0) samples[p].push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    const pct = (s: number[], p: number) =>
      [...s].sort((a, b) => a - b)[Math.ceil((p / 100) * s.length) - 1];
    const base50 = pct(samples[0], 50);
    const base99 = pct(samples[0], 99);
    console.log('| path | p50 ms | p99 ms | p50 / ZREVRANGE | p99 / ZREVRANGE |');
    paths.forEach(([name], p) =>
      console.log(
        `| ${name} | ${pct(samples[p], 50).toFixed(3)} | ${pct(samples[p], 99).toFixed(3)} | ${(pct(samples[p], 50) / base50).toFixed(2)}x | ${(pct(samples[p], 99) / base99).toFixed(2)}x |`,
      ),
    );
    console.log(`load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  } finally {
    await unlinkKeysStartingWith(redis, prefix);
    await redis.quit();
  }
}
main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
