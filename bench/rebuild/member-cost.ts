/**
 * What one timeline entry costs Redis, by the shape of its sorted-set member — a probe
 * behind the bench/README analysis of `bench:rebuild`, not a benchmark with a target:
 *
 *   node -r @swc-node/register bench/rebuild/member-cost.ts
 *
 * 300,000 ZADDs spread over 20,000 keys, 1,000 per batch, two batches in flight, written
 * three ways: `long` — a Lua script unpacking a MessagePack argument (the timeline's
 * path) with members as the timeline stores them (16-digit position + entry JSON, ~440
 * bytes); `short` — the same script with the 16-digit position only; `native` — the long
 * members as plain ZADD commands in MULTI/EXEC (no script); `argv` — the long members, each
 * with its score, as script arguments of their own (Lua interns each member once, not the
 * packed argument and then each member again); `split` — `short`, with each entry's body
 * written beside it by a plain HSET (a hash per key) sent ahead of the script in the same
 * pipeline; `split1` — the same with all of a batch's bodies in one HSET into one hash.
 * MEMBER_COST_WAYS picks and orders them (a
 * way may come twice, to alternate). Prints the Redis server's CPU per entry (INFO cpu; a
 * shared server counts anyone else's work too) and the rate.
 * Keys live under `member-cost:<run>:` and are removed after each way.
 */
import Redis from 'ioredis';
import { StringPacker, unlinkKeysStartingWith } from '@rapport/read-models/internals';
import { redisCpuSeconds } from './redis-cpu';

const SCRIPT = `
local A = cmsgpack.unpack(ARGV[1])
local a = 1
for k = 1, #KEYS do
  local n = tonumber(A[a])
  redis.call('ZADD', KEYS[k], unpack(A, a + 1, a + 2 * n))
  a = a + 2 * n + 1
end
return 1`;
/** `argv`: the structure packed, each (score, member) pair a script argument of its own. */
const ARGV_SCRIPT = `
local A = cmsgpack.unpack(ARGV[1])
local j = 2
for k = 1, #KEYS do
  local n = tonumber(A[k])
  redis.call('ZADD', KEYS[k], unpack(ARGV, j, j + 2 * n - 1))
  j = j + 2 * n
end
return 1`;
const KEYS = 20_000;
const ENTRIES = 300_000;
const BATCH = 1000;
const BODY = JSON.stringify({
  eventId: '0d5c3f0e-8d2a-4c3b-9f7a-1c2b3d4e5f60',
  position: 123456,
  customerId: 'c4a1b2c3-d4e5-4f60-8a7b-9c0d1e2f3a4b',
  occurredAt: '2026-03-01T09:00:00.000Z',
  type: 'touchpoint.recorded',
  channel: 'email',
  direction: 'inbound',
  identity: { kind: 'email', value: 'someone@example.com' },
  source: 'adapters/email',
  subject: 'Order 1234',
  excerpt: 'Where is my parcel? It was due yesterday and the tracking page says nothing.',
});

type Way = 'long' | 'short' | 'native' | 'argv' | 'split' | 'split1';

function writeBatch(redis: Redis, way: Way, prefix: string, first: number): Promise<unknown> {
  const keys: string[] = [];
  const members: string[] = [];
  for (let position = first; position < first + BATCH; position++) {
    keys.push(`${prefix}${(position * 7919) % KEYS}`);
    const padded = String(position).padStart(16, '0');
    members.push(way === 'long' || way === 'native' || way === 'argv' ? padded + BODY : padded);
  }
  const score = (i: number) => String(1.7e12 + first + i);
  if (way === 'native') {
    const multi = redis.multi();
    keys.forEach((key, i) => multi.zadd(key, score(i), members[i]));
    return multi.exec();
  }
  if (way === 'argv') {
    const counts = new StringPacker(BATCH * 4);
    const pairs: (string | Buffer)[] = [];
    members.forEach((member, i) => {
      counts.push('1');
      pairs.push(score(i), Buffer.from(member));
    });
    return redis.eval(ARGV_SCRIPT, keys.length, ...keys, counts.finish(), ...pairs);
  }
  const packer = new StringPacker(BATCH * (members[0].length + 32));
  members.forEach((member, i) => {
    packer.push('1');
    packer.push(score(i));
    packer.push(member);
  });
  if (way === 'split') {
    // The bodies beside the sorted sets, by plain commands sent ahead of the script.
    const pipeline = redis.pipeline();
    keys.forEach((key, i) => pipeline.hset(`${key}:body`, members[i], BODY));
    pipeline.eval(SCRIPT, keys.length, ...keys, packer.finish());
    return pipeline.exec();
  }
  if (way === 'split1') {
    // All the batch's bodies in one variadic HSET into one hash, ahead of the script.
    const pipeline = redis.pipeline();
    pipeline.hset(`${prefix}bodies`, ...members.flatMap((member) => [member, BODY]));
    pipeline.eval(SCRIPT, keys.length, ...keys, packer.finish());
    return pipeline.exec();
  }
  return redis.eval(SCRIPT, keys.length, ...keys, packer.finish());
}

async function main(): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const run = `member-cost:${Date.now().toString(36)}:`;
  try {
    const ways = (process.env.MEMBER_COST_WAYS ?? 'long,short,native,argv').split(',') as Way[];
    const unknown = ways.filter(
      (way) => !['long', 'short', 'native', 'argv', 'split', 'split1'].includes(way),
    );
    if (unknown.length) throw new Error(`MEMBER_COST_WAYS: no way called ${unknown.join(', ')}`);
    for (const [i, way] of ways.entries()) {
      // Each way afresh (a way named twice, to alternate, writes new keys again).
      const prefix = `${run}${i}:${way}:`;
      const cpuBefore = await redisCpuSeconds(redis);
      const started = Date.now();
      const inFlight: Promise<unknown>[] = [];
      for (let first = 1; first <= ENTRIES; first += BATCH) {
        inFlight.push(writeBatch(redis, way, prefix, first));
        if (inFlight.length >= 2) await inFlight.shift();
      }
      await Promise.all(inFlight);
      const cpu = (await redisCpuSeconds(redis)) - cpuBefore;
      const rate = Math.round(ENTRIES / ((Date.now() - started) / 1000));
      console.log(
        `${way}: Redis ${((cpu * 1e6) / ENTRIES).toFixed(2)} µs CPU per entry, ${rate} entries/s`,
      );
    }
  } finally {
    await unlinkKeysStartingWith(redis, run);
    await redis.quit();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
