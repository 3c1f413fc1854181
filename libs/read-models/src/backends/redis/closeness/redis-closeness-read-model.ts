import { type RedisConnection } from '../redis-connection';
import {
  applyClosenessFactInPlace,
  bucketsOfCustomer,
  closenessBatchReach,
  customerAnsweringFor,
  customerBucket,
  type CustomerErasedV1,
  type ClosenessConfig,
  type ClosenessFact,
  closenessRankKey,
  type ClosenessState,
  type ClosenessStreams,
  emptyClosenessState,
  type IdentityGraph,
  type IdentityGraphEvent,
  inLogOrder,
  mergeGroupOf,
  ownedClosenessState,
  ownerOfBucket,
  planClosenessBatch,
} from '@rapport/domain';
import {
  type ClosenessAsOf,
  type ClosenessReadModel,
  type CustomerCloseness,
  type RankedCustomer,
} from '../../../closeness/closeness-read-model';
import { closenessUpTo } from '../../../closeness/closeness-up-to';
import { erasedBuckets } from '../../../closeness/erased-buckets';
import { contactDay, contactHour } from '../../../closeness/quiet-hours';
import { type CheckpointRange } from '../../../projection/checkpoint';
import { checkpointOfWrittenModel } from '../checkpoint-of-written-model';
import { FencedBatchScript } from '../fenced-batch-script';
import {
  foldIdentityEvents,
  type GraphRecords,
  type GraphWrites,
  graphWrites,
  loadGraphForBatch,
  redisGraphRecords,
  survivorIn,
  survivorOfIdentityIn,
} from '../redis-identity-graph';
import { DEFAULT_REDIS_PREFIX, type ClosenessKeys, closenessKeys } from '../redis-keys';
import { type RedisFence } from '../redis-lease';
import { StringPacker } from '../packed-strings';
import { readLua, RedisScript } from '../redis-script';
import { unlinkKeysStartingWith } from '../unlink-keys';
import { hexScore } from './hex-score';
import { applyToWritten, stateJson, type WrittenState, writtenState } from './state-json';
import { WrittenMembership } from './written-membership';
import { WrittenStates } from './written-states';

export interface RedisClosenessReadModelOptions {
  readonly prefix?: string;
  /** When set, `apply` writes only while `fence.key` holds `fence.token`. */
  readonly fence?: RedisFence;
}

// KEYS and ARGV: see the .lua files.
const APPLY = new FencedBatchScript('closeness', readLua(__dirname, 'closeness-apply.lua'));
const TOP = new RedisScript(readLua(__dirname, 'closeness-top.lua'));
const QUIET = new RedisScript(readLua(__dirname, 'closeness-quiet.lua'));

/** The KEYS indices of `closeness-apply.lua`: the ranking, states, last contacts, first slot. */
const RANK = 2;
const STATE = 3;
const LAST = 4;
const FIRST_SLOT = 13;
/** Room for one more state's JSON at the end of the packed buffer (longer ones grow it). */
const MAX_STATE_CHARS = 8192;

/** What a batch writes (see `write`). */
interface BatchWrites {
  readonly facts: readonly ClosenessFact[];
  readonly refold: ReadonlyMap<string, readonly string[]>;
  readonly appendTo: ReadonlyMap<string, readonly ClosenessFact[]>;
  readonly newStreams: ReadonlyMap<string, string>;
  readonly newCustomerStreams: ReadonlyMap<string, string>;
  readonly graph: GraphWrites | null;
  /** Buckets whose facts and stream go, customers whose stream goes (an erasure). */
  readonly deleted?: { readonly buckets: string[]; readonly customers: string[] };
}

/** Adds values to a key's list of a batch's writes. */
function gather(lists: Map<number, string[]>, key: number, value: string, other?: string): void {
  let list = lists.get(key);
  if (!list) lists.set(key, (list = []));
  list.push(value);
  if (other !== undefined) list.push(other);
}

/**
 * Closeness in Redis: the ranking is one sorted set scored by the forward-decayed key (so
 * `ZREVRANGE` orders customers correctly at any moment), per customer the folded state and
 * last contact in hashes, and the facts in a hash per bucket (an identity, or a customer id:
 * see `closeness-membership.ts`), with the model's own copy of the identity graph that says
 * whose buckets they are. `apply` loads the part of the graph and the states the batch
 * touches, plans it with the pure domain (a merge or unmerge folds the customers it changes
 * again from all their buckets' facts), then writes every state, key, fact, graph record and
 * the checkpoint in one Lua script that first checks the checkpoint and the lease's fence —
 * atomically, or not at all.
 */
export class RedisClosenessReadModel implements ClosenessReadModel {
  readonly prefix: string;
  /** The model's keys (a benchmark fills the ranking and the at-risk index directly). */
  readonly keys: ClosenessKeys;
  private readonly fence: RedisFence | undefined;
  /** A rebuild plans the next batch while Redis runs the one before (see `inTurn`). */
  readonly maxInFlight = 1;
  /** Settles once the latest batch has been issued to Redis (or has failed before that). */
  private sent: Promise<void> = Promise.resolve();
  /**
   * The states this writer wrote, while its batches follow each other (at most 100,000): its
   * own copies, changed in place by the next batch's facts (see `write`).
   */
  private readonly written = new WrittenStates<WrittenState | null>(100_000);
  /** The graph and streams, while this writer has written all of them since the model was empty. */
  private readonly kept = new WrittenMembership();

  constructor(
    private readonly redis: RedisConnection,
    readonly config: ClosenessConfig,
    options: RedisClosenessReadModelOptions = {},
  ) {
    this.prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.fence = options.fence;
    this.keys = closenessKeys(this.prefix, config);
  }

  async checkpoint(): Promise<number> {
    const g = this.keys.graph;
    return checkpointOfWrittenModel(
      this.redis,
      this.keys.checkpoint,
      [
        g.customers,
        g.identities,
        g.pairs,
        g.eventCount,
        this.keys.streamCustomers,
        this.keys.customerStreams,
      ],
      this.kept,
    );
  }

  async apply(
    facts: readonly ClosenessFact[],
    range: CheckpointRange,
    identityEvents: readonly IdentityGraphEvent[] = [],
  ): Promise<void> {
    return this.inTurn(async (issued) => {
      // Planned and issued apart: while the script runs, nothing of the batch's plan is held
      // here (docs/decisions/0055).
      const { applied } = await this.issueApply(facts, range, identityEvents, issued);
      try {
        await applied;
      } catch (error) {
        this.kept.forget();
        throw error;
      }
    });
  }

  /** Plans a batch of `apply` and issues its script (see `issue`). */
  private async issueApply(
    facts: readonly ClosenessFact[],
    range: CheckpointRange,
    identityEvents: readonly IdentityGraphEvent[],
    issued: () => void,
  ): Promise<{ applied: Promise<void> }> {
    // A writer that wrote the whole graph keeps it: nothing to read or load (ADR 0048).
    const kept = this.kept.for(range.after);
    const known = kept ?? (await this.membershipOfBatch(identityEvents, facts));
    const plan = planClosenessBatch(known.graph, identityEvents, facts, known.streams);
    let graph: GraphWrites | null = null;
    if (identityEvents.length > 0)
      graph = kept
        ? // The records the events touch, folded apart (as `plan` folded them in the whole).
          graphWrites(
            await foldIdentityEvents(recordsOfGraph(kept.graph), identityEvents),
            kept.graph,
          )
        : graphWrites(plan.graph, known.graph);
    if (kept)
      this.kept.writing(
        range.after,
        range.upTo,
        plan.graph,
        plan.newStreams,
        plan.newCustomerStreams,
      );
    const refold = new Map<string, string[]>();
    for (const id of plan.refold)
      refold.set(id, bucketsOfCustomer(plan.graph, id, plan.streams) ?? []);
    try {
      return await this.issue(
        range,
        {
          facts,
          refold,
          appendTo: plan.appendTo,
          newStreams: plan.newStreams,
          newCustomerStreams: plan.newCustomerStreams,
          graph,
        },
        issued,
      );
    } catch (error) {
      this.kept.forget();
      throw error;
    }
  }

  /**
   * Runs one batch's work once the batch before it has been issued to Redis: its reads queue
   * behind that batch's script on this connection, so they see what it wrote, while this
   * process plans the next batch as Redis runs the last one (`maxInFlight`).
   */
  private async inTurn(work: (issued: () => void) => Promise<void>): Promise<void> {
    const turn = this.sent;
    let issued!: () => void;
    this.sent = new Promise((resolve) => (issued = resolve));
    try {
      await turn;
      await work(issued);
    } finally {
      issued();
    }
  }

  async erase(erasures: readonly CustomerErasedV1[], range: CheckpointRange): Promise<void> {
    // Erasures delete streams: the next batches read the graph and streams from Redis.
    this.kept.forget();
    return this.inTurn(async (issued) => {
      const ids = new Set(erasures.flatMap((e) => e.erasedCustomerIds));
      // The graph around the forgotten ids and identities, then again around every bucket
      // found (to know whose facts each holds now).
      let known = await this.membership(
        [...ids],
        [...new Set(erasures.flatMap((e) => e.identityKeys))],
      );
      const buckets = new Set<string>();
      for (const erasure of erasures)
        for (const bucket of erasedBuckets(erasure, known.graph, known.streams))
          buckets.add(bucket);
      // Whoever held those facts is folded again from the buckets they keep (the forgotten: none).
      const identityBuckets = [...buckets].filter((b) => !b.startsWith(customerBucket('')));
      known = await this.membership([...ids], identityBuckets);
      const owners = new Set<string>();
      for (const bucket of buckets) {
        const owner = ownerOfBucket(known.graph, bucket, known.streams);
        if (owner !== undefined && !ids.has(owner)) owners.add(owner);
      }
      if (owners.size > 0) known = await this.membership([...ids, ...owners], identityBuckets);
      const refold = new Map<string, string[]>();
      for (const id of ids) refold.set(id, []);
      for (const owner of owners) {
        const kept = bucketsOfCustomer(known.graph, owner, known.streams) ?? [];
        refold.set(
          owner,
          kept.filter((bucket) => !buckets.has(bucket)),
        );
      }
      await this.write(
        range,
        {
          facts: [],
          refold,
          appendTo: new Map(),
          newStreams: new Map(),
          newCustomerStreams: new Map(),
          graph: null,
          deleted: { buckets: [...buckets], customers: [...ids] },
        },
        issued,
      );
    });
  }

  /**
   * Writes a batch in one fenced script: the customers folded again from their buckets'
   * facts (none: out of the rankings), those that only gain facts, the new facts, streams
   * and graph records — and, for an erasure, the deleted buckets and streams.
   */
  private async write(
    range: CheckpointRange,
    batch: BatchWrites,
    issued: () => void,
  ): Promise<void> {
    const { applied } = await this.issue(range, batch, issued);
    await applied;
  }

  /**
   * Packs a batch and issues its script; `applied` settles when Redis has run it. Packed
   * apart (`packBatch`) and returned before the script has run, so that while it runs nothing
   * of the packing or the plan is held, only what was sent: the next batch's allocations no
   * longer find this one's strings and lists alive, which the scavenger copied
   * (docs/decisions/0055). Any failure forgets the states kept: they may have been changed
   * in place for a batch that was not written.
   */
  private async issue(
    range: CheckpointRange,
    batch: BatchWrites,
    /** Called once the batch's script is issued. */
    issued: () => void,
  ): Promise<{ applied: Promise<void> }> {
    try {
      const { keys, args, placed } = await this.packBatch(range, batch);
      // Issued in order (the next batch's reads queue behind it on this connection), and what
      // it writes kept at once, so the next batch can be planned while this one runs.
      const script = APPLY.apply(this.redis, keys, args, range, this.fence, { inOrder: true });
      this.written.wrote(placed, range.upTo);
      issued();
      return {
        applied: script.then(
          () => undefined,
          (error: unknown) => {
            this.written.forget();
            throw error;
          },
        ),
      };
    } catch (error) {
      this.written.forget();
      throw error;
    }
  }

  /** What a batch sends (see `write`): its script's keys and arguments, and the states it writes. */
  private async packBatch(
    range: CheckpointRange,
    batch: BatchWrites,
  ): Promise<{
    keys: string[];
    args: (string | Buffer)[];
    placed: [string, WrittenState | null][];
  }> {
    const { facts, refold, graph, deleted } = batch;
    // What the batch continues from: the states it changes, and the facts it folds again.
    const ids = [...refold.keys(), ...batch.appendTo.keys()];
    // The states this writer wrote itself need not be read back (nor parsed again).
    const written = this.written.continues(range.after) ? this.written : null;
    const unread = written ? ids.filter((id) => !written.has(id)) : ids;
    const [read, kept] = await Promise.all([
      unread.length > 0 ? this.redis.hmget(this.keys.state, ...unread) : Promise.resolve([]),
      this.factsOfBuckets([...new Set([...refold.values()].flat())]),
    ]);
    const stored = new Map<string, WrittenState | null>();
    unread.forEach((id, i) =>
      stored.set(
        id,
        read[i]
          ? writtenState(ownedClosenessState(JSON.parse(read[i] as string) as ClosenessState))
          : null,
      ),
    );
    // Each state is this writer's own copy (kept or just read), changed in place below: what
    // it was before is taken first (`place`). A batch that fails forgets them all (`write`).
    const storedState = (id: string): WrittenState | null =>
      stored.has(id) ? (stored.get(id) ?? null) : (written?.get(id) ?? null);
    const placed: [string, WrittenState | null][] = [];
    const newByBucket = new Map<string, ClosenessFact[]>();
    for (const fact of facts) {
      let list = newByBucket.get(fact.bucket);
      if (!list) newByBucket.set(fact.bucket, (list = []));
      list.push(fact);
    }

    // The customers' writes gathered per key — removals, then additions — and sent so, as
    // one command per key: the script only runs them (no work per customer in Lua). Keys
    // are named by their index in KEYS: the ranking, states and last contacts, then the day
    // and hour buckets of the at-risk index the batch's customers move between (each once).
    const slots: string[] = [];
    const daySlots = new Map<number, number>();
    const hourSlots = new Map<number, number>();
    const slotOf = (found: Map<number, number>, n: number, key: (n: number) => string): number => {
      let index = found.get(n);
      if (index === undefined) {
        slots.push(key(n));
        found.set(n, (index = FIRST_SLOT + slots.length - 1));
      }
      return index;
    };
    const removals = new Map<number, string[]>();
    const additions = new Map<number, string[]>();
    /**
     * The customers filed in each day and hour bucket, sent highest key first: a small
     * bucket is a listpack, which Redis scans from its lowest score for each insertion
     * (parsing every score it passes), so each insertion then stops at the first entry.
     */
    const filed = new Map<number, { rankKey: number; score: string; customerId: string }[]>();
    /** Each day bucket changed (by its index), with its day: its entry in `days` is set again. */
    const touchedDays = new Map<number, number>();
    /** The length of the states' JSON: most of what is packed. */
    let stateChars = 0;
    const place = (
      customerId: string,
      /** The customer's last contact before the batch, and whether it had a state. */
      was: number | null,
      existed: boolean,
      after: WrittenState | null,
    ) => {
      placed.push([customerId, after]);
      let newDay: number | null = null;
      let newHour: number | null = null;
      if (after !== null) {
        const last = after.state.lastContactMs ?? was ?? 0;
        const rankKey = closenessRankKey(after.state, this.config);
        const rank = hexScore(rankKey);
        const day = contactDay(last);
        newDay = slotOf(daySlots, day, this.keys.day);
        newHour = slotOf(hourSlots, contactHour(last), this.keys.hour);
        gather(additions, RANK, rank, customerId);
        const json = stateJson(after.state, after.conversations);
        stateChars += json.length;
        gather(additions, STATE, customerId, json);
        gather(additions, LAST, customerId, String(last));
        for (const bucket of [newDay, newHour]) {
          let list = filed.get(bucket);
          if (!list) filed.set(bucket, (list = []));
          list.push({ rankKey, score: rank, customerId });
        }
        touchedDays.set(newDay, day);
      } else if (existed) {
        gather(removals, RANK, customerId);
        gather(removals, STATE, customerId);
        gather(removals, LAST, customerId);
      }
      if (was !== null) {
        const day = contactDay(was);
        const oldDay = slotOf(daySlots, day, this.keys.day);
        const oldHour = slotOf(hourSlots, contactHour(was), this.keys.hour);
        if (oldDay !== newDay) gather(removals, oldDay, customerId);
        if (oldHour !== newHour) gather(removals, oldHour, customerId);
        touchedDays.set(oldDay, day);
      }
    };
    refold.forEach((buckets, customerId) => {
      const before = storedState(customerId);
      const all = buckets.flatMap((bucket) => [
        ...(kept.get(bucket) ?? []),
        ...(newByBucket.get(bucket) ?? []),
      ]);
      let after: WrittenState | null = null;
      if (all.length > 0) {
        const state = ownedClosenessState(emptyClosenessState(customerId, this.config));
        for (const fact of inLogOrder(all)) applyClosenessFactInPlace(state, fact, this.config);
        after = writtenState(state);
      }
      place(customerId, before?.state.lastContactMs ?? null, before !== null, after);
    });
    batch.appendTo.forEach((list, customerId) => {
      const before = storedState(customerId);
      const was = before?.state.lastContactMs ?? null;
      const after =
        before ?? writtenState(ownedClosenessState(emptyClosenessState(customerId, this.config)));
      for (const fact of list) applyToWritten(after, fact, this.config);
      place(customerId, was, before !== null, after);
    });

    let latest: number | null = null;
    for (const fact of facts)
      if (latest === null || fact.occurredAtMs > latest) latest = fact.occurredAtMs;
    const keys = [
      this.keys.checkpoint,
      this.keys.rank,
      this.keys.state,
      this.keys.last,
      this.keys.latest,
      this.keys.days,
      this.keys.streamCustomers,
      this.keys.customerStreams,
      this.keys.graph.customers,
      this.keys.graph.identities,
      this.keys.graph.pairs,
      this.keys.graph.eventCount,
      ...slots,
    ];
    // Everything but the leading three in one packed argument (docs/decisions/0020).
    // Sized to hold it all (a string is only written with room for 3 bytes per unit after it):
    // growing copies the buffer, and a large state's JSON is 1–2 KB.
    const packed = new StringPacker(
      stateChars + 500 * facts.length + 200 * placed.length + 3 * MAX_STATE_CHARS,
    );
    packed.push(latest === null ? '' : String(latest));
    // The fact buckets' keys are named by the script (one slot: the model's hash tag).
    packed.push(this.keys.facts(''));
    packed.push(String(newByBucket.size));
    packed.push(String(removals.size + additions.size + filed.size));
    packed.push(String(touchedDays.size));
    const pushPairs = (pairs: readonly (readonly [string, string])[]) => {
      packed.push(String(pairs.length));
      for (const [field, value] of pairs) {
        packed.push(field);
        packed.push(value);
      }
    };
    pushPairs([...batch.newStreams]);
    pushPairs([...batch.newCustomerStreams]);
    pushPairs(graph?.customers ?? []);
    pushPairs(graph?.identities ?? []);
    pushPairs(graph?.pairs ?? []);
    packed.push(graph ? String(graph.eventCount) : '');
    for (const [bucket, list] of newByBucket) {
      packed.push(bucket);
      packed.push(String(list.length));
      for (const fact of list) {
        packed.push(fact.eventId);
        packed.push(JSON.stringify(fact));
      }
    }
    for (const [gathered, hashCommand, setCommand] of [
      [removals, 'HDEL', 'ZREM'],
      [additions, 'HSET', 'ZADD'],
    ] as const)
      for (const [key, values] of gathered) {
        packed.push(key === STATE || key === LAST ? hashCommand : setCommand);
        packed.push(String(key));
        packed.push(String(values.length));
        for (const value of values) packed.push(value);
      }
    for (const [key, list] of filed) {
      list.sort((x, y) => y.rankKey - x.rankKey);
      packed.push('ZADD');
      packed.push(String(key));
      packed.push(String(2 * list.length));
      for (const { score, customerId } of list) {
        packed.push(score);
        packed.push(customerId);
      }
    }
    for (const [key, day] of touchedDays) {
      packed.push(String(key));
      packed.push(String(day));
    }
    for (const fields of [deleted?.buckets ?? [], deleted?.customers ?? []]) {
      packed.push(String(fields.length));
      for (const field of fields) packed.push(field);
    }
    const args = [...FencedBatchScript.leadingArgs(range, this.fence), packed.finish()];
    return { keys, args, placed };
  }

  async customer(customerId: string): Promise<CustomerCloseness | null> {
    const survivor = await this.answeringFor(customerId);
    const state = await this.redis.hget(this.keys.state, survivor);
    if (!state) return null;
    const facts = await this.factsOf([survivor]);
    return {
      customerId: survivor,
      state: JSON.parse(state) as ClosenessState,
      facts: facts.get(survivor) ?? [],
    };
  }

  async top(limit: number): Promise<RankedCustomer[]> {
    return (await this.topWithLatest(limit)).ranked;
  }

  async topWithLatest(
    limit: number,
  ): Promise<{ ranked: RankedCustomer[]; latestContactMs: number | null }> {
    const reply = (await TOP.run(
      this.redis,
      [this.keys.rank, this.keys.last, this.keys.latest],
      [limit],
    )) as string[];
    return {
      latestContactMs: reply[0] === '' ? null : Number(reply[0]),
      ranked: triples(reply, 1),
    };
  }

  async quiet(lastContactAtMostMs: number, limit: number): Promise<RankedCustomer[]> {
    // The buckets are named by the script from their prefixes, in the slot of the model's own
    // keys (ADR 0043): declaring the index's every day cost about a microsecond of this
    // process's CPU per name, hundreds per query.
    const reply = (await QUIET.run(
      this.redis,
      [this.keys.days, this.keys.last],
      [
        contactDay(lastContactAtMostMs),
        contactHour(lastContactAtMostMs),
        lastContactAtMostMs,
        limit,
        this.keys.day(''),
        this.keys.hour(''),
      ],
    )) as string[];
    return triples(reply);
  }

  async customerAsOf(customerId: string, asOf: ClosenessAsOf): Promise<CustomerCloseness | null> {
    // An id's own stream names it only from its first fact on (its facts, read once).
    const own = await this.redis.hget(this.keys.customerStreams, customerId);
    const ownFacts = own === null ? [] : ((await this.factsOfBuckets([own])).get(own) ?? []);
    const began = ownFacts.some((fact) => fact.position <= asOf.position);
    const graph = await asOf.graphAround([customerId], own === null ? [] : [own]);
    const survivor =
      customerAnsweringFor(graph, customerId, began ? (own as string) : undefined) ?? customerId;
    const group = mergeGroupOf(graph, survivor);
    const streams = await this.streamsOf(group.length > 0 ? group : [survivor], [], new Map());
    // Whether the group's streams' identities were placed by then, wherever they were.
    const placed = await asOf.graphAround(
      [customerId],
      [...(own === null ? [] : [own]), ...streams.streamOfCustomer.values()],
    );
    const buckets = bucketsOfCustomer(placed, survivor, lookups(streams)) ?? [];
    const others = await this.factsOfBuckets(buckets.filter((bucket) => bucket !== own));
    const facts = [...others.values()].flat();
    if (own !== null && buckets.includes(own)) for (const fact of ownFacts) facts.push(fact);
    return closenessUpTo(survivor, facts, asOf.position, this.config);
  }

  async contactedAfter(afterMs: number, max: number): Promise<string[] | null> {
    const from = contactDay(afterMs);
    const days = (await this.redis.zrange(this.keys.days, 0, -1))
      .map(Number)
      .filter((day) => day >= from);
    if (days.length === 0) return [];
    const counts = await Promise.all(days.map((day) => this.redis.zcard(this.keys.day(day))));
    const later = counts.reduce((sum, n, i) => (days[i] > from ? sum + n : sum), 0);
    if (later > max) return null;
    const members = (
      await Promise.all(days.map((day) => this.redis.zrange(this.keys.day(day), 0, -1)))
    ).flat();
    const lasts = await this.redis.hmget(this.keys.last, ...members);
    const found = members.filter((_, i) => Number(lasts[i]) > afterMs);
    return found.length > max ? null : found;
  }

  async factsOf(customerIds: readonly string[]): Promise<Map<string, ClosenessFact[]>> {
    const out = new Map<string, ClosenessFact[]>();
    if (customerIds.length === 0) return out;
    const known = await this.membership(customerIds, []);
    const bucketsOf = customerIds.map(
      (id) => bucketsOfCustomer(known.graph, id, known.streams) ?? [],
    );
    const facts = await this.factsOfBuckets([...new Set(bucketsOf.flat())]);
    customerIds.forEach((id, i) =>
      out.set(id, inLogOrder(bucketsOf[i].flatMap((bucket) => facts.get(bucket) ?? []))),
    );
    return out;
  }

  async latestContactMs(): Promise<number | null> {
    const latest = await this.redis.get(this.keys.latest);
    return latest === null ? null : Number(latest);
  }

  /** Deletes this model's keys, the checkpoint first (an interrupted clear is rebuilt). */
  async clear(): Promise<void> {
    this.written.forget();
    this.kept.forget();
    await this.redis.unlink(this.keys.checkpoint);
    await unlinkKeysStartingWith(this.redis, this.keys.space);
  }

  /**
   * The customer an id answers for now (see `customerAnsweringFor`): its survivor, or for an
   * id the graph never met, the customer its stream's identity was placed with.
   */
  private async answeringFor(customerId: string): Promise<string> {
    const survivor = await survivorIn(this.redis, this.keys.graph, customerId);
    if (survivor !== undefined) return survivor;
    const stream = await this.redis.hget(this.keys.customerStreams, customerId);
    const owner =
      stream === null ? undefined : await survivorOfIdentityIn(this.redis, this.keys.graph, stream);
    return owner ?? customerId;
  }

  /** The facts kept in each bucket (one pipeline). */
  private async factsOfBuckets(buckets: readonly string[]): Promise<Map<string, ClosenessFact[]>> {
    const found = new Map<string, ClosenessFact[]>();
    if (buckets.length === 0) return found;
    const pipeline = this.redis.pipeline();
    for (const bucket of buckets) pipeline.hvals(this.keys.facts(bucket));
    const replies = (await pipeline.exec()) ?? [];
    buckets.forEach((bucket, i) => {
      const [error, values] = replies[i] as [Error | null, string[]];
      if (error) throw error;
      if (values.length > 0)
        found.set(
          bucket,
          values.map((v) => JSON.parse(v) as ClosenessFact),
        );
    });
    return found;
  }

  /** The part of the graph and streams a batch needs, read from Redis (see `membership`). */
  private membershipOfBatch(
    identityEvents: readonly IdentityGraphEvent[],
    facts: readonly ClosenessFact[],
  ): Promise<{ graph: IdentityGraph; streams: ClosenessStreams }> {
    const reach = closenessBatchReach(identityEvents, facts);
    return this.membership(reach.customerIds, reach.identityKeys);
  }

  /**
   * The part of this model's identity graph and streams that a batch (or a query) naming
   * these customers and identities needs: the graph around them (chains of survivors, merge
   * groups), the streams of their identities and of every customer loaded, and whether the
   * graph has placed those streams' identities.
   */
  private async membership(
    customerIds: readonly string[],
    identityKeys: readonly string[],
  ): Promise<{ graph: IdentityGraph; streams: ClosenessStreams }> {
    const records = redisGraphRecords(this.redis, this.keys.graph);
    const [loaded, streamCustomers] = await Promise.all([
      loadGraphForBatch(records, customerIds, identityKeys),
      this.hashFields(this.keys.streamCustomers, identityKeys),
    ]);
    let graph = loaded;
    // An identity's stream customer owns its facts until the graph places it, so a link that
    // places it changes that customer's buckets: its part of the graph is needed too.
    const named = new Set(customerIds);
    const unloaded = [...new Set(streamCustomers.values())].filter(
      (id) => !named.has(id) && !graph.customers.has(id),
    );
    if (unloaded.length > 0)
      graph = await loadGraphForBatch(records, [...customerIds, ...unloaded], identityKeys);
    const customers = [...new Set([...customerIds, ...graph.customers.keys()])];
    const streams = await this.streamsOf(customers, identityKeys, streamCustomers);
    // A customer's stream counts as its own only while the graph has not placed it.
    const unchecked = [...new Set(streams.streamOfCustomer.values())].filter(
      (key) => !graph.identities.has(key),
    );
    if (unchecked.length > 0) {
      const found = await records.identities(unchecked);
      let identities = graph.identities;
      unchecked.forEach((key, i) => {
        const record = found[i];
        if (record !== undefined) identities = identities.set(key, record);
      });
      graph = { ...graph, identities };
    }
    return { graph, streams: lookups(streams) };
  }

  /**
   * The streams of these customers and identity buckets: which bucket each customer's own
   * facts were first filed under, and which customer each bucket's (and those buckets') was.
   */
  private async streamsOf(
    customers: readonly string[],
    identityKeys: readonly string[],
    /** The stream customers of `identityKeys`, read already (`membership`). */
    ofIdentityKeys: ReadonlyMap<string, string>,
  ): Promise<{ customerOfStream: Map<string, string>; streamOfCustomer: Map<string, string> }> {
    const streamOfCustomer = await this.hashFields(this.keys.customerStreams, customers);
    const asked = new Set(identityKeys);
    const buckets = [...new Set(streamOfCustomer.values())].filter((bucket) => !asked.has(bucket));
    const customerOfStream = await this.hashFields(this.keys.streamCustomers, buckets);
    for (const [bucket, customer] of ofIdentityKeys) customerOfStream.set(bucket, customer);
    return { customerOfStream, streamOfCustomer };
  }

  /** The fields of a hash that are set, by name. */
  private async hashFields(key: string, fields: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (fields.length === 0) return found;
    const values = await this.redis.hmget(key, ...fields);
    fields.forEach((field, i) => {
      if (values[i] !== null) found.set(field, values[i] as string);
    });
    return found;
  }
}

/** A whole graph in process as the records `foldIdentityEvents` loads its part from. */
function recordsOfGraph(graph: IdentityGraph): GraphRecords {
  return {
    identities: (keys) => Promise.resolve(keys.map((key) => graph.identities.get(key))),
    customers: (ids) => Promise.resolve(ids.map((id) => graph.customers.get(id))),
    eventCount: () => Promise.resolve(graph.eventCount),
  };
}

function lookups(streams: {
  customerOfStream: Map<string, string>;
  streamOfCustomer: Map<string, string>;
}): ClosenessStreams {
  return {
    customerOfStream: (bucket) => streams.customerOfStream.get(bucket),
    streamOfCustomer: (id) => streams.streamOfCustomer.get(id),
  };
}

function triples(reply: string[], from = 0): RankedCustomer[] {
  const out: RankedCustomer[] = [];
  for (let i = from; i < reply.length; i += 3)
    out.push({
      customerId: reply[i],
      rankKey: Number(reply[i + 1]),
      lastContactMs: reply[i + 2] === '' ? null : Number(reply[i + 2]),
    });
  return out;
}
