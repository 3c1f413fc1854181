import { type Redis } from 'ioredis';

/**
 * Deletes every key whose name starts with `start` (SCAN + UNLINK in batches of about
 * 1,000: Redis frees them in the background, and no single command blocks it for long).
 */
export async function unlinkKeysStartingWith(redis: Redis, start: string): Promise<void> {
  const match = `${start.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
