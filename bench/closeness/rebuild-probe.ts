/**
 * A probe, not a benchmark: the closeness rebuild alone (as `bench:rebuild` runs it) on a
 * SQLite log kept between runs at PROBE_LOG (seeded once with PROBE_TOUCHPOINTS of
 * `logWorkload` over 20,000 people), with the bare catch-up read of the same log before it,
 * so that two versions of the code can be compared on one log without seeding each time:
 * `node --max-semi-space-size=32 --min-semi-space-size=32 -r @swc-node/register
 * bench/closeness/rebuild-probe.ts`. PROBE_KEEP=1 keeps the keys.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DEFAULT_CLOSENESS_CONFIG } from '@rapport/domain';
import { openEventStore, SqliteEventStore } from '@rapport/event-store';
import { closenessProjection, ProjectionRunner } from '@rapport/read-models';
import { RedisClosenessReadModel, unlinkKeysStartingWith } from '@rapport/read-models/internals';
import { logWorkload } from '@rapport/testing';
import Redis from 'ioredis';
import { redisCpuSeconds } from '../rebuild/redis-cpu';

const PATH = process.env.PROBE_LOG ?? '/tmp/e-closeness-probe.db';
const TOUCHPOINTS = Number(process.env.PROBE_TOUCHPOINTS ?? 300_000);

async function main() {
  if (!existsSync(PATH)) {
    const store = new SqliteEventStore({ path: PATH });
    for (const batch of logWorkload({ touchpoints: TOUCHPOINTS, identities: 20_000 }))
      for (const o of await store.appendMany(batch)) if (!o.ok) throw o.error;
    await store.close();
  }
  const url = `sqlite:${PATH}`;
  const redis = new Redis(process.env.PROBE_REDIS ?? 'redis://127.0.0.1:6379');
  const bare = await openEventStore(url);
  const head = await bare.headPosition();
  let t = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const s = bare.subscribeToAll(
      { after: 0, batchSize: 1000 },
      { onEvents: () => {}, onCaughtUp: () => resolve() },
    );
    s.finished.catch(reject);
  });
  const bareRate = head / (Number(process.hrtime.bigint() - t) / 1e9);
  await bare.close();
  const prefix = `probe-closeness:${Date.now()}:`;
  const store = await openEventStore(url);
  const model = new RedisClosenessReadModel(redis, DEFAULT_CLOSENESS_CONFIG, { prefix });
  const runner = new ProjectionRunner(store, closenessProjection(model), { batchSize: 1000 });
  const r0 = await redisCpuSeconds(redis);
  const c0 = process.cpuUsage();
  t = process.hrtime.bigint();
  await runner.start();
  const rate = head / (Number(process.hrtime.bigint() - t) / 1e9);
  const cpu = process.cpuUsage(c0);
  const r1 = await redisCpuSeconds(redis);
  await runner.stop();
  await store.close();
  if ((await model.checkpoint()) !== head) throw new Error('not caught up');
  const sample = await redis.hrandfield(model.keys.state, 1, 'WITHVALUES');
  console.log(
    `head ${head}: closeness ${Math.round(rate)} events/s, bare ${Math.round(bareRate)}, ratio ${(rate / bareRate).toFixed(3)}x; node ${((cpu.user + cpu.system) / head).toFixed(1)} µs/event, redis ${(((r1 - r0) * 1e6) / head).toFixed(1)} µs/event; a state ${String(sample?.[1] ?? '').length} bytes; load ${readFileSync('/proc/loadavg', 'utf8').trim()}`,
  );
  if (process.env.PROBE_KEEP !== '1') await unlinkKeysStartingWith(redis, prefix);
  else console.log(`kept ${prefix}`);
  await redis.quit();
}
main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
