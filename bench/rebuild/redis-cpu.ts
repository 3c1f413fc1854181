import { type Redis } from 'ioredis';

/** The Redis server's CPU seconds so far (user + system, from INFO cpu). */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Calls and µs per command so far (INFO commandstats), scripts' inner commands included. */
export async function redisCommandStats(
  redis: Redis,
): Promise<Map<string, { calls: number; usec: number }>> {
  const stats = new Map<string, { calls: number; usec: number }>();
  const info = await redis.info('commandstats');
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm))
    stats.set(match[1], { calls: Number(match[2]), usec: Number(match[3]) });
  return stats;
}

/**
 * The commands that took the most of Redis's time between two `redisCommandStats`, per
 * event: `name calls/event µs/event`. A script's own line counts its inner commands too.
 */
export function commandCostPerEvent(
  before: Map<string, { calls: number; usec: number }>,
  after: Map<string, { calls: number; usec: number }>,
  events: number,
  top = 8,
): string {
  return [...after]
    .map(([name, { calls, usec }]) => {
      const was = before.get(name) ?? { calls: 0, usec: 0 };
      return { name, calls: (calls - was.calls) / events, usec: (usec - was.usec) / events };
    })
    .filter((c) => c.calls > 0)
    .sort((a, b) => b.usec - a.usec)
    .slice(0, top)
    .map((c) => `${c.name} ${c.calls.toFixed(2)}/event ${c.usec.toFixed(2)} µs/event`)
    .join('; ');
}
