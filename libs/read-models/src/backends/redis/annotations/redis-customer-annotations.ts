import { type CheckpointRange } from '../../../projection/checkpoint';
import {
  type AnnotationChange,
  type CustomerAnnotationsReadModel,
  type CustomerNote,
} from '../../../annotations/customer-annotations-read-model';
import { FencedBatchScript } from '../fenced-batch-script';
import { type RedisConnection } from '../redis-connection';
import { slotPrefix } from '../redis-keys';
import { type RedisFence } from '../redis-lease';
import { readLua } from '../redis-script';
import { unlinkKeysStartingWith } from '../unlink-keys';

const APPLY = new FencedBatchScript('annotations', readLua(__dirname, 'annotations-apply.lua'));

/**
 * Notes and labels in Redis under `<prefix>{annotations}:annotations:` — `notes:<customer>`
 * (sorted set of note JSONs by log position), `labels:<customer>`, `label:<label>` (sets) and
 * `checkpoint`, one slot with its lease — written by one fenced script per batch (ADR 0012).
 * Not versioned: a rebuild clears it and replays the log (the runner does when the model
 * comes back empty).
 */
export class RedisCustomerAnnotations implements CustomerAnnotationsReadModel {
  private readonly base: string;

  constructor(
    private readonly redis: RedisConnection,
    readonly prefix: string,
    private readonly fence?: RedisFence,
  ) {
    this.base = `${slotPrefix(prefix, 'annotations')}annotations:`;
  }

  /** The same model, writing under a writer's lease. */
  fencedBy(fence: RedisFence): RedisCustomerAnnotations {
    return new RedisCustomerAnnotations(this.redis, this.prefix, fence);
  }

  async checkpoint(): Promise<number> {
    return Number((await this.redis.get(`${this.base}checkpoint`)) ?? 0);
  }

  async apply(changes: readonly AnnotationChange[], range: CheckpointRange): Promise<void> {
    const keys = [`${this.base}checkpoint`];
    const indexOf = new Map<string, number>();
    const key = (name: string): number => {
      let index = indexOf.get(name);
      if (index === undefined) {
        keys.push(name);
        indexOf.set(name, (index = keys.length)); // Lua is 1-based
      }
      return index;
    };
    // An erasure removes the customer from the set of each label it carries: those keys are
    // declared too — the labels it had before the batch, and those the batch gives it first.
    const erased = [...new Set(changes.flatMap((c) => (c.kind === 'erase' ? [c.customerId] : [])))];
    const carried = new Map<string, Set<string>>();
    for (const [i, labels] of (
      await Promise.all(erased.map((id) => this.redis.smembers(`${this.base}labels:${id}`)))
    ).entries())
      carried.set(erased[i], new Set(labels));
    const packed = changes.map((change) => {
      switch (change.kind) {
        case 'note':
          return {
            k: 'note',
            n: key(`${this.base}notes:${change.note.customerId}`),
            p: change.note.position,
            v: JSON.stringify(change.note),
          };
        case 'erase': {
          const ls: Record<string, number> = {};
          for (const label of carried.get(change.customerId) ?? [])
            ls[label] = key(`${this.base}label:${label}`);
          return {
            k: 'erase',
            c: change.customerId,
            s: key(`${this.base}labels:${change.customerId}`),
            n: key(`${this.base}notes:${change.customerId}`),
            ls,
          };
        }
        default:
          if (change.kind === 'label') carried.get(change.customerId)?.add(change.label);
          return {
            k: change.kind,
            c: change.customerId,
            l: change.label,
            s: key(`${this.base}labels:${change.customerId}`),
            t: key(`${this.base}label:${change.label}`),
          };
      }
    });
    await APPLY.apply(
      this.redis,
      keys,
      [
        ...FencedBatchScript.leadingArgs(range, this.fence),
        // cjson decodes an empty JSON array (or `ls`) as an object; either iterates as nothing.
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
