import { type RedisConnection } from '../redis-connection';
import {
  type BacklogEntry,
  backlogEntryOf,
  IDEA_STATUSES,
  type IdeaStatus,
  type IdeaView,
} from '@rapport/domain';
import { erasedIdKey } from '../../../ideas/erased-supporters';
import {
  BACKLOG_ORDERS,
  type BacklogOrder,
  ideaIdOfTieKey,
  type OrderedBacklog,
  type OrderedIdea,
  orderValueOf,
  tieKeyOf,
} from '../../../ideas/backlog-ranking-order';
import {
  commentersOfView,
  customersOfView,
  type IdeaBacklogPersonalData,
  type IdeaBacklogReadModel,
} from '../../../ideas/idea-backlog-read-model';
import { type CheckpointRange } from '../../../projection/checkpoint';
import { FencedBatchScript } from '../fenced-batch-script';
import { DEFAULT_REDIS_PREFIX, ideaKeys } from '../redis-keys';
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

/** The backlog's keys: `ideaKeys`, and those of forgotten people (all under its space). */
function backlogKeys(prefix: string) {
  const keys = ideaKeys(prefix);
  return {
    ...keys,
    /** The ideas a customer commented on (to erase their comments). */
    commenter: (customerId: string) => `${keys.space}commenter:${customerId}`,
    /** `erasedIdKey(customer id)` → person key: forgotten people, without their ids. */
    erased: `${keys.space}erased`,
    /**
     * The ideas of a status in an order (`backlog-ranking-order.ts`): scored by minus their
     * value, members their tie keys, so that reading from the start reads in rank order.
     */
    order: (order: BacklogOrder, status: IdeaStatus) => `${keys.space}order:${order}:${status}`,
  };
}

/**
 * The backlog in Redis: one JSON document per idea in a hash, a set of idea ids per status,
 * per customer and per comment author. `apply` is one Lua script: the documents, the
 * indexes, a forgotten person's deleted sets and the checkpoint move together or not at all
 * (and only while the writer holds its lease).
 */
export class RedisIdeaBacklogReadModel implements IdeaBacklogReadModel {
  readonly prefix: string;
  private readonly fence: RedisFence | undefined;
  private readonly keys: ReturnType<typeof backlogKeys>;

  constructor(
    private readonly redis: RedisConnection,
    options: RedisIdeaBacklogReadModelOptions = {},
  ) {
    this.prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.fence = options.fence;
    this.keys = backlogKeys(this.prefix);
  }

  async checkpoint(): Promise<number> {
    return Number((await this.redis.get(this.keys.checkpoint)) ?? 0);
  }

  async apply(
    views: readonly IdeaView[],
    range: CheckpointRange,
    personal: IdeaBacklogPersonalData = {},
  ): Promise<void> {
    const keys = [
      this.keys.checkpoint,
      this.keys.docs,
      ...IDEA_STATUSES.map((s) => this.keys.status(s)),
      this.keys.entries,
      this.keys.erased,
      ...BACKLOG_ORDERS.flatMap((order) => IDEA_STATUSES.map((s) => this.keys.order(order, s))),
    ];
    const keyIndex = new Map<string, number>();
    const indexOf = (key: string): string => {
      let index = keyIndex.get(key);
      if (index === undefined) {
        keys.push(key);
        keyIndex.set(key, (index = keys.length)); // Lua is 1-based
      }
      return String(index);
    };
    const args = [
      String(range.after),
      String(range.upTo),
      this.fence?.token ?? '',
      String(views.length),
    ];
    // The indexes name whom each document names now: the sets of those it named before and
    // no longer does (a withdrawn vote) lose it. Only the fenced writer writes documents, so
    // they cannot change before the script (whose checkpoint check refuses any other case).
    const before = views.length
      ? await this.redis.hmget(this.keys.docs, ...views.map((v) => v.ideaId))
      : [];
    views.forEach((view, i) => {
      const previous = before[i] === null ? null : (JSON.parse(before[i] as string) as IdeaView);
      const sets = this.indexSetsOf(view);
      const left = previous ? this.indexSetsOf(previous).filter((key) => !sets.includes(key)) : [];
      const status = view.mergedInto === undefined ? IDEA_STATUSES.indexOf(view.status) + 1 : 0;
      const entry = backlogEntryOf(view);
      args.push(
        view.ideaId,
        JSON.stringify(view),
        JSON.stringify(entry),
        String(status),
        tieKeyOf(entry),
        ...BACKLOG_ORDERS.map((order) => String(-orderValueOf(entry, order))),
        String(sets.length),
      );
      for (const key of sets) args.push(indexOf(key));
      args.push(String(left.length));
      for (const key of left) args.push(indexOf(key));
    });
    // A forgotten person's sets are deleted and their ids kept only as hashes, in the same
    // script as the anonymised views: the checkpoint never moves past an erasure without it.
    const erased = [...(personal.erasedPeople ?? [])];
    const gone = erased.flatMap(([id]) => [this.keys.customer(id), this.keys.commenter(id)]);
    args.push(String(gone.length), ...gone.map(indexOf));
    args.push(String(erased.length));
    for (const [id, person] of erased) args.push(erasedIdKey(id), person);
    await APPLY.apply(this.redis, keys, args, range, this.fence);
  }

  /** The per-customer sets a document belongs in. */
  private indexSetsOf(view: IdeaView): string[] {
    return [
      ...customersOfView(view).map((id) => this.keys.customer(id)),
      ...commentersOfView(view).map((id) => this.keys.commenter(id)),
    ];
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

  /**
   * The statuses' order sets read chunk by chunk, merged in rank order (each set is in it).
   * Where they do not hold every idea of their statuses — a model projected before they
   * were kept, until it is rebuilt — every idea is read and sorted instead, as before.
   */
  async ordered(
    statuses: readonly IdeaStatus[] | undefined,
    order: BacklogOrder,
  ): Promise<OrderedBacklog> {
    const wanted = [...new Set(statuses?.length ? statuses : IDEA_STATUSES)];
    const pipeline = this.redis.pipeline();
    for (const status of wanted) {
      pipeline.zcard(this.keys.order(order, status));
      pipeline.scard(this.keys.status(status));
    }
    const counts = ((await pipeline.exec()) ?? []).map(([error, n]) => {
      if (error) throw error;
      return n as number;
    });
    let total = 0;
    for (let i = 0; i < counts.length; i += 2) {
      if (counts[i] !== counts[i + 1]) return this.sortedInProcess(wanted, order);
      total += counts[i];
    }
    // Per status: what was read and not yet given, and where its next read starts.
    const heads = wanted.map((status) => ({
      key: this.keys.order(order, status),
      read: [] as { tieKey: string; score: number }[],
      next: 0,
      done: false,
    }));
    const refill = async (head: (typeof heads)[number], count: number) => {
      const reply = await this.redis.zrange(
        head.key,
        head.next,
        head.next + count - 1,
        'WITHSCORES',
      );
      for (let i = 0; i < reply.length; i += 2)
        head.read.push({ tieKey: reply[i], score: Number(reply[i + 1]) });
      head.next += count;
      if (reply.length < 2 * count) head.done = true;
    };
    const next = async (count: number): Promise<OrderedIdea[]> => {
      // Each set read far enough ahead that the merge can usually give `count` at once.
      await Promise.all(
        heads.map((head) =>
          head.done || head.read.length >= count ? undefined : refill(head, count),
        ),
      );
      const merged: string[] = [];
      while (merged.length < count) {
        for (const head of heads)
          if (head.read.length === 0 && !head.done) await refill(head, count);
        let first: (typeof heads)[number] | undefined;
        for (const head of heads) {
          const candidate = head.read[0];
          const best = first?.read[0];
          if (!candidate) continue;
          if (
            !best ||
            candidate.score < best.score ||
            (candidate.score === best.score && candidate.tieKey < best.tieKey)
          )
            first = head;
        }
        if (!first) break; // every set read to its end
        merged.push((first.read.shift() as { tieKey: string }).tieKey);
      }
      if (merged.length === 0) return [];
      const ids = merged.map(ideaIdOfTieKey);
      const entries = await this.redis.hmget(this.keys.entries, ...ids);
      return entries.flatMap((json) => {
        if (json === null) return []; // gone since (a rebuild's clear): not ranked
        const entry = JSON.parse(json) as BacklogEntry;
        return [{ entry, value: orderValueOf(entry, order) }];
      });
    };
    return { total, next };
  }

  private async sortedInProcess(
    statuses: readonly IdeaStatus[],
    order: BacklogOrder,
  ): Promise<OrderedBacklog> {
    const ideas = (await this.list(statuses))
      .map((entry) => ({ entry, value: orderValueOf(entry, order), tieKey: tieKeyOf(entry) }))
      .sort((a, b) => b.value - a.value || (a.tieKey < b.tieKey ? -1 : 1));
    let read = 0;
    return { total: ideas.length, next: async (count) => ideas.slice(read, (read += count)) };
  }

  async ideasOfCustomer(customerId: string): Promise<IdeaView[]> {
    const ids = await this.redis.smembers(this.keys.customer(customerId));
    return [...(await this.getMany(ids)).values()].filter((v) => v.mergedInto === undefined);
  }

  async ideaIdsNaming(customerIds: readonly string[]): Promise<string[]> {
    if (customerIds.length === 0) return [];
    const ids = await this.redis.sunion(
      ...customerIds.flatMap((id) => [this.keys.customer(id), this.keys.commenter(id)]),
    );
    return ids.sort();
  }

  async erasedAmong(customerIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (customerIds.length === 0) return found;
    const people = await this.redis.hmget(this.keys.erased, ...customerIds.map(erasedIdKey));
    customerIds.forEach((id, i) => {
      if (people[i] !== null) found.set(id, people[i] as string);
    });
    return found;
  }

  /** Deletes this model's keys, the checkpoint first (an interrupted clear is rebuilt from 0). */
  async clear(): Promise<void> {
    await this.redis.unlink(
      this.keys.checkpoint,
      this.keys.docs,
      this.keys.entries,
      this.keys.erased,
    );
    await unlinkKeysStartingWith(this.redis, this.keys.space);
  }
}
