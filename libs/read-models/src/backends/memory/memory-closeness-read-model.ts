import BTree from 'sorted-btree';
import {
  applyClosenessFact,
  bucketsOfCustomer,
  type ClosenessConfig,
  type ClosenessFact,
  closenessRankKey,
  type ClosenessState,
  type ClosenessStreams,
  customerAnsweringFor,
  type CustomerErasedV1,
  emptyClosenessState,
  EMPTY_IDENTITY_GRAPH,
  foldClosenessFacts,
  inLogOrder,
  type IdentityGraph,
  type IdentityGraphEvent,
  ownerOfBucket,
  planClosenessBatch,
} from '@rapport/domain';
import { CheckpointMismatchError, type CheckpointRange } from '../../projection/checkpoint';
import { contactHour } from '../../closeness/quiet-hours';
import { closenessUpTo } from '../../closeness/closeness-up-to';
import { erasedBuckets } from '../../closeness/erased-buckets';
import {
  type ClosenessAsOf,
  type ClosenessReadModel,
  type CustomerCloseness,
  type RankedCustomer,
} from '../../closeness/closeness-read-model';

type RankEntry = readonly [rankKey: number, customerId: string];

/** Highest key first; ties by customer id descending, as Redis `ZREVRANGE` orders them. */
function rankOrder(a: RankEntry, b: RankEntry): number {
  if (a[0] !== b[0]) return a[0] > b[0] ? -1 : 1;
  return a[1] === b[1] ? 0 : a[1] > b[1] ? -1 : 1;
}

interface CustomerEntry {
  state: ClosenessState;
  rankKey: number;
}

type HourEntry = readonly [highestKey: number, hour: number];
function hourOrder(a: HourEntry, b: HourEntry): number {
  if (a[0] !== b[0]) return a[0] > b[0] ? -1 : 1;
  return b[1] - a[1];
}

/**
 * Closeness in process memory: facts in their buckets (see `closeness-membership.ts`), the
 * identity graph that says whose buckets they are, per surviving customer the folded state,
 * ranked in a B+ tree; the at-risk index (see `quiet-hours.ts`) as a B+ tree per hour of
 * last contact and one of hours.
 */
export class MemoryClosenessReadModel implements ClosenessReadModel {
  private readonly buckets = new Map<string, ClosenessFact[]>();
  private readonly streamCustomers = new Map<string, string>();
  private readonly customerStreams = new Map<string, string>();
  private readonly streams: ClosenessStreams = {
    customerOfStream: (bucket) => this.streamCustomers.get(bucket),
    streamOfCustomer: (id) => this.customerStreams.get(id),
  };
  private graph: IdentityGraph = EMPTY_IDENTITY_GRAPH;
  private readonly customers = new Map<string, CustomerEntry>();
  private readonly ranking = new BTree<RankEntry, undefined>(undefined, rankOrder);
  private readonly byHour = new Map<number, BTree<RankEntry, undefined>>();
  private readonly hourHighest = new Map<number, number>();
  private readonly hours = new BTree<HourEntry, undefined>(undefined, hourOrder);
  private position = 0;
  private latest: number | null = null;

  constructor(readonly config: ClosenessConfig) {}

  async checkpoint(): Promise<number> {
    return this.position;
  }

  async apply(
    facts: readonly ClosenessFact[],
    range: CheckpointRange,
    identityEvents: readonly IdentityGraphEvent[] = [],
  ): Promise<void> {
    if (range.after !== this.position)
      throw new CheckpointMismatchError('closeness', range.after, this.position);
    const plan = planClosenessBatch(this.graph, identityEvents, facts, this.streams);
    this.graph = plan.graph;
    for (const [bucket, customerId] of plan.newStreams)
      this.streamCustomers.set(bucket, customerId);
    for (const [customerId, bucket] of plan.newCustomerStreams)
      this.customerStreams.set(customerId, bucket);
    for (const fact of facts) {
      let list = this.buckets.get(fact.bucket);
      if (!list) this.buckets.set(fact.bucket, (list = []));
      list.push(fact);
      if (this.latest === null || fact.occurredAtMs > this.latest) this.latest = fact.occurredAtMs;
    }
    for (const customerId of plan.refold) {
      const facts = this.factsOfOne(customerId);
      this.place(
        customerId,
        facts.length === 0 ? null : foldClosenessFacts(customerId, facts, this.config),
      );
    }
    for (const [customerId, list] of plan.appendTo) {
      let state =
        this.customers.get(customerId)?.state ?? emptyClosenessState(customerId, this.config);
      for (const fact of list) state = applyClosenessFact(state, fact, this.config).state;
      this.place(customerId, state);
    }
    this.position = range.upTo;
  }

  async erase(erasures: readonly CustomerErasedV1[], range: CheckpointRange): Promise<void> {
    if (range.after !== this.position)
      throw new CheckpointMismatchError('closeness', range.after, this.position);
    for (const erasure of erasures) this.eraseOne(erasure);
    this.position = range.upTo;
  }

  private eraseOne(erasure: CustomerErasedV1): void {
    const ids = new Set(erasure.erasedCustomerIds);
    const buckets = erasedBuckets(erasure, this.graph, this.streams);
    // Whoever held those facts: folded again from the buckets they keep (the forgotten: none).
    const owners = new Set(ids);
    for (const bucket of buckets) {
      const owner = ownerOfBucket(this.graph, bucket, this.streams);
      if (owner !== undefined) owners.add(owner);
    }
    for (const bucket of buckets) {
      this.buckets.delete(bucket);
      this.streamCustomers.delete(bucket);
    }
    for (const id of ids) this.customerStreams.delete(id);
    for (const owner of owners) {
      const facts = ids.has(owner) ? [] : this.factsOfOne(owner);
      this.place(owner, facts.length === 0 ? null : foldClosenessFacts(owner, facts, this.config));
    }
  }

  async customer(customerId: string): Promise<CustomerCloseness | null> {
    const survivor = this.answeringFor(this.graph, customerId);
    const entry = this.customers.get(survivor);
    return entry
      ? { customerId: survivor, state: entry.state, facts: this.factsOfOne(survivor) }
      : null;
  }

  async top(limit: number): Promise<RankedCustomer[]> {
    const out: RankedCustomer[] = [];
    for (const [rankKey, customerId] of this.ranking.keys()) {
      if (out.length >= limit) break;
      out.push(this.ranked(rankKey, customerId));
    }
    return out;
  }

  async quiet(lastContactAtMostMs: number, limit: number): Promise<RankedCustomer[]> {
    const boundary = contactHour(lastContactAtMostMs);
    const best: RankedCustomer[] = [];
    const beatsWorst = (entry: RankEntry) =>
      best.length < limit ||
      rankOrder(entry, [best[best.length - 1].rankKey, best[best.length - 1].customerId]) < 0;
    for (const [highest, hour] of this.hours.keys()) {
      if (best.length >= limit && highest < best[best.length - 1].rankKey) break;
      if (hour > boundary) continue;
      for (const entry of (this.byHour.get(hour) as BTree<RankEntry, undefined>).keys()) {
        if (!beatsWorst(entry)) break;
        const ranked = this.ranked(entry[0], entry[1]);
        if ((ranked.lastContactMs as number) > lastContactAtMostMs) continue;
        let at = best.length;
        while (at > 0 && rankOrder(entry, [best[at - 1].rankKey, best[at - 1].customerId]) < 0)
          at -= 1;
        best.splice(at, 0, ranked);
        if (best.length > limit) best.pop();
      }
    }
    return best;
  }

  async customerAsOf(customerId: string, asOf: ClosenessAsOf): Promise<CustomerCloseness | null> {
    // An id's own stream names it only from its first fact on.
    const stream = this.customerStreams.get(customerId);
    const began =
      stream !== undefined &&
      (this.buckets.get(stream)?.[0]?.position ?? Infinity) <= asOf.position;
    const graph = await asOf.graphAround([customerId], stream === undefined ? [] : [stream]);
    const survivor =
      customerAnsweringFor(graph, customerId, began ? stream : undefined) ?? customerId;
    const buckets = bucketsOfCustomer(graph, survivor, this.streams) ?? [];
    const facts = buckets.flatMap((bucket) => this.buckets.get(bucket) ?? []);
    return closenessUpTo(survivor, facts, asOf.position, this.config);
  }

  async contactedAfter(afterMs: number, max: number): Promise<string[] | null> {
    const from = contactHour(afterMs);
    const found: string[] = [];
    for (const [hour, bucket] of this.byHour) {
      if (hour < from) continue;
      for (const [, customerId] of bucket.keys()) {
        if ((this.customers.get(customerId)?.state.lastContactMs as number) <= afterMs) continue;
        if (found.length === max) return null;
        found.push(customerId);
      }
    }
    return found;
  }

  async factsOf(customerIds: readonly string[]): Promise<Map<string, ClosenessFact[]>> {
    return new Map(customerIds.map((id) => [id, this.factsOfOne(id)]));
  }

  async latestContactMs(): Promise<number | null> {
    return this.latest;
  }

  async clear(): Promise<void> {
    this.buckets.clear();
    this.streamCustomers.clear();
    this.customerStreams.clear();
    this.graph = EMPTY_IDENTITY_GRAPH;
    this.customers.clear();
    this.ranking.clear();
    this.byHour.clear();
    this.hourHighest.clear();
    this.hours.clear();
    this.position = 0;
    this.latest = null;
  }

  /** The customer an id answers for by `graph` (see `customerAnsweringFor`). */
  private answeringFor(graph: IdentityGraph, customerId: string): string {
    return (
      customerAnsweringFor(graph, customerId, this.customerStreams.get(customerId)) ?? customerId
    );
  }

  /** A surviving customer's facts in log order: its buckets' (none when merged away). */
  private factsOfOne(customerId: string): ClosenessFact[] {
    const buckets = bucketsOfCustomer(this.graph, customerId, this.streams) ?? [];
    return inLogOrder(buckets.flatMap((bucket) => this.buckets.get(bucket) ?? []));
  }

  /** Ranks and files a customer by its state; null takes it out of the ranking. */
  private place(customerId: string, state: ClosenessState | null): void {
    const entry = this.customers.get(customerId);
    if (!entry && state === null) return;
    if (entry) {
      this.ranking.delete([entry.rankKey, customerId]);
      this.unfile(entry, customerId);
    }
    if (state === null) {
      this.customers.delete(customerId);
      return;
    }
    const placed = { state, rankKey: closenessRankKey(state, this.config) };
    this.customers.set(customerId, placed);
    this.ranking.set([placed.rankKey, customerId], undefined);
    this.file(placed, customerId);
  }

  /** Files a customer under the hour of its last contact. */
  private file(entry: CustomerEntry, customerId: string): void {
    const hour = contactHour(entry.state.lastContactMs as number);
    let bucket = this.byHour.get(hour);
    if (!bucket) this.byHour.set(hour, (bucket = new BTree(undefined, rankOrder)));
    bucket.set([entry.rankKey, customerId], undefined);
    this.indexHour(hour);
  }

  private unfile(entry: CustomerEntry, customerId: string): void {
    const hour = contactHour(entry.state.lastContactMs as number);
    const bucket = this.byHour.get(hour) as BTree<RankEntry, undefined>;
    bucket.delete([entry.rankKey, customerId]);
    if (bucket.size === 0) this.byHour.delete(hour);
    this.indexHour(hour);
  }

  /** Keeps the hour index at the hour's highest key. */
  private indexHour(hour: number): void {
    const previous = this.hourHighest.get(hour);
    if (previous !== undefined) this.hours.delete([previous, hour]);
    const highest = this.byHour.get(hour)?.minKey();
    if (highest === undefined) this.hourHighest.delete(hour);
    else {
      this.hourHighest.set(hour, highest[0]);
      this.hours.set([highest[0], hour], undefined);
    }
  }

  private ranked(rankKey: number, customerId: string): RankedCustomer {
    const state = this.customers.get(customerId)?.state;
    return { customerId, rankKey, lastContactMs: state?.lastContactMs ?? null };
  }
}
