/**
 * What a changed name costs the timeline's name index, in Redis and in this process — a
 * probe behind ADR 0052, not a benchmark with a target:
 *
 *   REDIS_URL=redis://127.0.0.1:6391 node -r @swc-node/register bench/rebuild/name-index-cost.ts
 *
 * NAME_COST_IDENTITIES (20,000) identities are named once, then NAME_COST_BATCHES (200)
 * batches of NAME_COST_BATCH (550) names — what a `bench:rebuild` batch of 1,000 events
 * carries — rename random identities to new names (faker's full names), as nearly every
 * touchpoint of the rebuild's workload renames its person. Prints the Redis server's CPU per
 * name (INFO cpu: use a private server) and this process's, over the renaming batches only;
 * NAME_COST_RENAME=0 sees each identity again under the name it has instead.
 * Keys live under `name-index-cost:<run>:` and are removed at the end.
 */
import { faker } from '@faker-js/faker';
import Redis from 'ioredis';
import { type SeenName } from '@rapport/domain';
import { RedisNameIndex } from '../../libs/read-models/src/names/redis-name-index';
import { unlinkKeysStartingWith } from '@rapport/read-models/internals';
import { positiveInteger } from '../store/workload';
import { redisCpuSeconds } from './redis-cpu';

const IDENTITIES = positiveInteger('NAME_COST_IDENTITIES', 20_000);
const BATCHES = positiveInteger('NAME_COST_BATCHES', 200);
const BATCH = positiveInteger('NAME_COST_BATCH', 550);
/** NAME_COST_RENAME=0: each identity is seen again under the name it has (only the record moves). */
const RENAME = process.env.NAME_COST_RENAME !== '0';

async function main(): Promise<void> {
  faker.seed(21);
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const run = `name-index-cost:${Date.now().toString(36)}:{t}:`;
  const index = new RedisNameIndex(redis, run);
  let position = 0;
  const current = new Map<string, string>();
  const named = (key: string): [string, SeenName] => {
    position += 1;
    const occurredAt = new Date(Date.UTC(2026, 0, 1) + position * 1000).toISOString();
    const name = (!RENAME && current.get(key)) || faker.person.fullName();
    current.set(key, name);
    return [key, { name, occurredAt, position }];
  };
  const keyOf = (i: number) => `email:person.${i}@bench.example`;
  try {
    for (let i = 0; i < IDENTITIES; i += BATCH) {
      const batch = new Map<string, SeenName>();
      for (let j = i; j < Math.min(i + BATCH, IDENTITIES); j++) batch.set(...named(keyOf(j)));
      await index.apply(batch);
    }
    // Drawn before the clock starts: faker's own time is not the index's.
    const batches: Map<string, SeenName>[] = [];
    for (let b = 0; b < BATCHES; b++) {
      const batch = new Map<string, SeenName>();
      while (batch.size < BATCH) batch.set(...named(keyOf(faker.number.int(IDENTITIES - 1))));
      batches.push(batch);
    }
    const redisBefore = await redisCpuSeconds(redis);
    const cpuBefore = process.cpuUsage();
    let names = 0;
    for (const batch of batches) {
      names += batch.size;
      await index.apply(batch);
    }
    const cpu = process.cpuUsage(cpuBefore);
    const redisUs = (((await redisCpuSeconds(redis)) - redisBefore) * 1e6) / names;
    const nodeUs = (cpu.user + cpu.system) / names;
    const found = await index.search('a', 5);
    console.log(
      `name index: Redis ${redisUs.toFixed(2)} µs CPU per name, this process ${nodeUs.toFixed(2)} µs per name (${names} names; first 'a' match ${found[0]?.name.name ?? 'none'})`,
    );
  } finally {
    await unlinkKeysStartingWith(redis, run.slice(0, run.indexOf('{')));
    await redis.quit();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
