import { type RedisConnection } from '../backends/redis/redis-connection';
import {
  type IdentityGraphEvent,
  queuedSuggestion,
  type QueuedMergeSuggestion,
  suggestionQueueChange,
} from '@rapport/domain';
import { type RedisGraphKeys } from '../backends/redis/redis-keys';
import { loadGraphAround } from '../backends/redis/redis-identity-graph';

/** Where a model's queue lives, under its prefix. */
export function suggestionQueueKey(prefix: string): string {
  return `${prefix}merge-suggestions:open`;
}

/**
 * The queue's candidates in Redis: one sorted set of `survivor|merged` pairs scored by when
 * they were suggested. Written ahead of the batch's script like the plain identities
 * (adding and removing the same pair again is idempotent, and batches go in order); a read
 * checks each candidate against the identity graph, so one the script never wrote, or one
 * closed another way, is left out.
 */
export class RedisSuggestionQueue {
  private readonly key: string;

  constructor(
    private readonly redis: RedisConnection,
    prefix: string,
    private readonly graph: RedisGraphKeys,
  ) {
    this.key = suggestionQueueKey(prefix);
  }

  apply(events: readonly IdentityGraphEvent[]): Promise<unknown> | undefined {
    const pipeline = this.redis.pipeline();
    let writes = 0;
    for (const event of events) {
      const change = suggestionQueueChange(event);
      if (change?.add) {
        const ms = Date.parse(change.at ?? '');
        pipeline.zadd(this.key, Number.isFinite(ms) ? ms : 0, change.add);
        writes++;
      }
      if (change?.remove?.length) {
        pipeline.zrem(this.key, ...change.remove);
        writes++;
      }
    }
    if (writes === 0) return undefined;
    return pipeline.exec().then((replies) => {
      for (const [error] of replies ?? []) if (error) throw error;
    });
  }

  /** Takes out the candidates naming any of these customers (an erasure). */
  async erase(customerIds: readonly string[]): Promise<void> {
    if (customerIds.length === 0) return;
    const ids = new Set(customerIds);
    const members = await this.redis.zrange(this.key, 0, -1);
    const gone = members.filter((m) => m.split('|').some((id) => ids.has(id)));
    if (gone.length) await this.redis.zrem(this.key, ...gone);
  }

  async clear(): Promise<void> {
    await this.redis.unlink(this.key);
  }

  async read(
    limit: number,
    isErased: (customerId: string) => Promise<boolean>,
  ): Promise<QueuedMergeSuggestion[]> {
    const open: QueuedMergeSuggestion[] = [];
    const chunk = Math.max(limit, 50);
    for (let start = 0; open.length < limit; start += chunk) {
      const members = await this.redis.zrange(this.key, start, start + chunk - 1);
      for (const member of members) {
        if (open.length >= limit) break;
        const graph = await loadGraphAround(this.redis, this.graph, member.split('|'), {
          keptApart: true,
        });
        const queued = queuedSuggestion(graph, member);
        if (
          queued &&
          !(await isErased(queued.survivor.customerId)) &&
          !(await isErased(queued.merged.customerId))
        )
          open.push(queued);
      }
      if (members.length < chunk) break;
    }
    return open;
  }
}
