import { type Redis } from 'ioredis';
import {
  type BacklogEntry,
  backlogEntryOf,
  IDEA_STATUSES,
  type IdeaStatus,
  type IdeaView,
} from '@rapport/domain';
import { type CheckpointRange } from '../projection/checkpoint';
import { FencedBatchScript } from './fenced-batch-script';
import { customersOfView, type IdeaBacklogReadModel } from '../ideas/idea-backlog-read-model';
import { type RedisFence } from './redis-lease';
import { unlinkKeysStartingWith } from './unlink-keys';

export interface RedisIdeaBacklogReadModelOptions {
  readonly prefix?: string;
  /** When set, `apply` writes only while `fence.key` holds `fence.token`. */
  readonly fence?: RedisFence;
}

/*
 * KEYS: checkpoint, documents hash, the 6 status sets (IDEA_STATUSES order), the entries
 *       hash, then the customer sets[, fence key last]
 * ARGV: after, upTo, fence token ('' = none), V, then per view:
 *       id, json, entry json, status index (0: merged, in no status set; 1–6), n,
 *       n × customer key index
 * Every check comes before the first write.
 */
const APPLY_SCRIPT = `
local a = 5
for v = 1, tonumber(ARGV[4]) do
  local id, json, entry = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local status, n = tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  redis.call('HSET', KEYS[2], id, json)
  redis.call('HSET', KEYS[9], id, entry)
  for s = 1, 6 do
    if s == status then redis.call('SADD', KEYS[2 + s], id) else redis.call('SREM', KEYS[2 + s], id) end
  end
  for c = 1, n do redis.call('SADD', KEYS[tonumber(ARGV[a + 4 + c])], id) end
  a = a + 5 + n
end
redis.call('SET', KEYS[1], ARGV[2])
return {'ok'}
`;
const APPLY = new FencedBatchScript('ideas', APPLY_SCRIPT);

/**
 * The backlog in Redis: one JSON document per idea in a hash, a set of idea ids per status
 * and per customer. `apply` is one Lua script: the documents, the indexes and the
 * checkpoint move together or not at all (and only while the writer holds its lease).
 */
export class RedisIdeaBacklogReadModel implements IdeaBacklogReadModel {
  readonly prefix: string;
  private readonly fence: RedisFence | undefined;
  private readonly checkpointKey: string;
  private readonly docsKey: string;
  private readonly entriesKey: string;

  constructor(
    private readonly redis: Redis,
    options: RedisIdeaBacklogReadModelOptions = {},
  ) {
    this.prefix = options.prefix ?? 'rapport:';
    this.fence = options.fence;
    this.checkpointKey = `${this.prefix}checkpoint:ideas`;
    this.docsKey = `${this.prefix}ideas:doc`;
    this.entriesKey = `${this.prefix}ideas:entry`;
  }

  async checkpoint(): Promise<number> {
    return Number((await this.redis.get(this.checkpointKey)) ?? 0);
  }

  async apply(views: readonly IdeaView[], range: CheckpointRange): Promise<void> {
    const keys = [
      this.checkpointKey,
      this.docsKey,
      ...IDEA_STATUSES.map((s) => this.statusKey(s)),
      this.entriesKey,
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
        const key = this.customerKey(customerId);
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
    const docs = await this.redis.hmget(this.docsKey, ...ideaIds);
    docs.forEach((json, i) => {
      if (json !== null) found.set(ideaIds[i], JSON.parse(json) as IdeaView);
    });
    return found;
  }

  async list(statuses?: readonly IdeaStatus[]): Promise<BacklogEntry[]> {
    const wanted = statuses?.length ? statuses : IDEA_STATUSES;
    const ids =
      wanted.length === 1
        ? await this.redis.smembers(this.statusKey(wanted[0]))
        : await this.redis.sunion(...wanted.map((s) => this.statusKey(s)));
    if (ids.length === 0) return [];
    const entries = await this.redis.hmget(this.entriesKey, ...ids);
    return entries.filter((e): e is string => e !== null).map((e) => JSON.parse(e) as BacklogEntry);
  }

  async ideasOfCustomer(customerId: string): Promise<IdeaView[]> {
    const ids = await this.redis.smembers(this.customerKey(customerId));
    return [...(await this.getMany(ids)).values()].filter((v) => v.mergedInto === undefined);
  }

  /** Deletes this model's keys, the checkpoint first (an interrupted clear is rebuilt from 0). */
  async clear(): Promise<void> {
    await this.redis.unlink(this.checkpointKey, this.docsKey, this.entriesKey);
    await unlinkKeysStartingWith(this.redis, `${this.prefix}ideas:`);
  }

  private statusKey(status: IdeaStatus): string {
    return `${this.prefix}ideas:status:${status}`;
  }

  private customerKey(customerId: string): string {
    return `${this.prefix}ideas:customer:${customerId}`;
  }
}
