import { type Redis } from 'ioredis';
import {
  type BacklogEntry,
  backlogEntryOf,
  IDEA_STATUSES,
  type IdeaStatus,
  type IdeaView,
} from '@rapport/domain';
import { customersOfView, type IdeaBacklogReadModel } from '../../../ideas/idea-backlog-read-model';
import { type CheckpointRange } from '../../../projection/checkpoint';
import { FencedBatchScript } from '../fenced-batch-script';
import { DEFAULT_REDIS_PREFIX, type IdeaKeys, ideaKeys } from '../redis-keys';
import { type RedisFence } from '../redis-lease';
import { readLua } from '../redis-script';
import { unlinkKeysStartingWith } from '../unlink-keys';

export interface RedisIdeaBacklogReadModelOptions {
  readonly prefix?: string;
  /** When set, `apply` writes only while `fence.key` holds `fence.token`. */
  readonly fence?: RedisFence;
}

// KEYS and ARGV: see idea-backlog-apply.lua.
const APPLY = new FencedBatchScript('ideas', readLua(__dirname, 'idea-backlog-apply.lua'));

/**
 * The backlog in Redis: one JSON document per idea in a hash, a set of idea ids per status
 * and per customer. `apply` is one Lua script: the documents, the indexes and the
 * checkpoint move together or not at all (and only while the writer holds its lease).
 */
export class RedisIdeaBacklogReadModel implements IdeaBacklogReadModel {
  readonly prefix: string;
  private readonly fence: RedisFence | undefined;
  private readonly keys: IdeaKeys;

  constructor(
    private readonly redis: Redis,
    options: RedisIdeaBacklogReadModelOptions = {},
  ) {
    this.prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.fence = options.fence;
    this.keys = ideaKeys(this.prefix);
  }

  async checkpoint(): Promise<number> {
    return Number((await this.redis.get(this.keys.checkpoint)) ?? 0);
  }

  async apply(views: readonly IdeaView[], range: CheckpointRange): Promise<void> {
    const keys = [
      this.keys.checkpoint,
      this.keys.docs,
      ...IDEA_STATUSES.map((s) => this.keys.status(s)),
      this.keys.entries,
    ];
    const customerKeyIndex = new Map<string, number>();
    const args = [
      String(range.after),
      String(range.upTo),
      this.fence?.token ?? '',
      String(views.length),
    ];
    for (const view of views) {
      const customers = customersOfView(view);
      const status = view.mergedInto === undefined ? IDEA_STATUSES.indexOf(view.status) + 1 : 0;
      args.push(
        view.ideaId,
        JSON.stringify(view),
        JSON.stringify(backlogEntryOf(view)),
        String(status),
        String(customers.length),
      );
      for (const customerId of customers) {
        const key = this.keys.customer(customerId);
        let index = customerKeyIndex.get(key);
        if (index === undefined) {
          keys.push(key);
          customerKeyIndex.set(key, (index = keys.length)); // Lua is 1-based
        }
        args.push(String(index));
      }
    }
    await APPLY.apply(this.redis, keys, args, range, this.fence);
  }

  async getMany(ideaIds: readonly string[]): Promise<Map<string, IdeaView>> {
    const found = new Map<string, IdeaView>();
    if (ideaIds.length === 0) return found;
    const docs = await this.redis.hmget(this.keys.docs, ...ideaIds);
    docs.forEach((json, i) => {
      if (json !== null) found.set(ideaIds[i], JSON.parse(json) as IdeaView);
    });
    return found;
  }

  async list(statuses?: readonly IdeaStatus[]): Promise<BacklogEntry[]> {
    const wanted = statuses?.length ? statuses : IDEA_STATUSES;
    const ids =
      wanted.length === 1
        ? await this.redis.smembers(this.keys.status(wanted[0]))
        : await this.redis.sunion(...wanted.map((s) => this.keys.status(s)));
    if (ids.length === 0) return [];
    const entries = await this.redis.hmget(this.keys.entries, ...ids);
    return entries.filter((e): e is string => e !== null).map((e) => JSON.parse(e) as BacklogEntry);
  }

  async ideasOfCustomer(customerId: string): Promise<IdeaView[]> {
    const ids = await this.redis.smembers(this.keys.customer(customerId));
    return [...(await this.getMany(ids)).values()].filter((v) => v.mergedInto === undefined);
  }

  /** Deletes this model's keys, the checkpoint first (an interrupted clear is rebuilt from 0). */
  async clear(): Promise<void> {
    await this.redis.unlink(this.keys.checkpoint, this.keys.docs, this.keys.entries);
    await unlinkKeysStartingWith(this.redis, this.keys.space);
  }
}
