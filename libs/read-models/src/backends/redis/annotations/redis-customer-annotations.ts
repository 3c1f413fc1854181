import type Redis from 'ioredis';
import { type CheckpointRange } from '../../../projection/checkpoint';
import {
  type AnnotationChange,
  type CustomerAnnotationsReadModel,
  type CustomerNote,
} from '../../../annotations/customer-annotations-read-model';
import { FencedBatchScript } from '../fenced-batch-script';
import { type RedisFence } from '../redis-lease';
import { readLua } from '../redis-script';
import { unlinkKeysStartingWith } from '../unlink-keys';

const APPLY = new FencedBatchScript('annotations', readLua(__dirname, 'annotations-apply.lua'));

/**
 * Notes and labels in Redis under `<prefix>annotations:` — `notes:<customer>` (sorted set of
 * note JSONs by log position), `labels:<customer>`, `label:<label>` (sets) and `checkpoint` —
 * written by one fenced script per batch (ADR 0012). Not versioned: a rebuild clears it and
 * replays the log (the runner does when the model comes back empty).
 */
export class RedisCustomerAnnotations implements CustomerAnnotationsReadModel {
  private readonly base: string;

  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
    private readonly fence?: RedisFence,
  ) {
    this.base = `${prefix}annotations:`;
  }

  /** The same model, writing under a writer's lease. */
  fencedBy(fence: RedisFence): RedisCustomerAnnotations {
    return new RedisCustomerAnnotations(this.redis, this.prefix, fence);
  }

  async checkpoint(): Promise<number> {
    return Number((await this.redis.get(`${this.base}checkpoint`)) ?? 0);
  }

  async apply(changes: readonly AnnotationChange[], range: CheckpointRange): Promise<void> {
    const packed = changes.map((change) => {
      switch (change.kind) {
        case 'note':
          return {
            k: 'note',
            c: change.note.customerId,
            p: change.note.position,
            n: JSON.stringify(change.note),
          };
        case 'erase':
          return { k: 'erase', c: change.customerId };
        default:
          return { k: change.kind, c: change.customerId, l: change.label };
      }
    });
    await APPLY.apply(
      this.redis,
      [`${this.base}checkpoint`],
      [
        ...FencedBatchScript.leadingArgs(range, this.fence),
        this.base,
        // cjson decodes an empty JSON array as an object; either iterates as nothing.
        JSON.stringify(packed),
      ],
      range,
      this.fence,
    );
  }

  async notes(
    customerIds: readonly string[],
    { limit, before }: { limit: number; before?: number },
  ): Promise<CustomerNote[]> {
    const max = before === undefined ? '+inf' : `(${before}`;
    const lists = await Promise.all(
      [...new Set(customerIds)].map((id) =>
        this.redis.zrevrangebyscore(`${this.base}notes:${id}`, max, '-inf', 'LIMIT', 0, limit),
      ),
    );
    return lists
      .flat()
      .map((json) => JSON.parse(json) as CustomerNote)
      .sort((a, b) => b.position - a.position)
      .slice(0, limit);
  }

  async labels(customerIds: readonly string[]): Promise<string[]> {
    if (customerIds.length === 0) return [];
    const keys = [...new Set(customerIds)].map((id) => `${this.base}labels:${id}`);
    return (await this.redis.sunion(...keys)).sort();
  }

  async customersLabelled(label: string, limit: number): Promise<string[]> {
    const ids = await this.redis.smembers(`${this.base}label:${label}`);
    return ids.sort().slice(0, limit);
  }

  async clear(): Promise<void> {
    await unlinkKeysStartingWith(this.redis, this.base);
  }
}
