import BTree from 'sorted-btree';
import {
  applyClosenessFact,
  type ClosenessConfig,
  type ClosenessFact,
  closenessRankKey,
  type ClosenessState,
  emptyClosenessState,
} from '@rapport/domain';
import { CheckpointMismatchError, type CheckpointRange } from '../projection/checkpoint';
import {
  type ClosenessReadModel,
  type CustomerCloseness,
  type RankedCustomer,
} from './closeness-read-model';

type RankEntry = readonly [rankKey: number, customerId: string];

/** Highest key first; ties by customer id descending, as Redis `ZREVRANGE` orders them. */
function rankOrder(a: RankEntry, b: RankEntry): number {
  if (a[0] !== b[0]) return a[0] > b[0] ? -1 : 1;
  return a[1] === b[1] ? 0 : a[1] > b[1] ? -1 : 1;
}

interface CustomerEntry {
  state: ClosenessState;
  rankKey: number;
  readonly facts: ClosenessFact[];
}

/** Closeness in process memory: per customer the folded state, ranked in a B+ tree. */
export class MemoryClosenessReadModel implements ClosenessReadModel {
  private readonly customers = new Map<string, CustomerEntry>();
  private readonly ranking = new BTree<RankEntry, undefined>(undefined, rankOrder);
  private position = 0;
  private latest: number | null = null;

  constructor(readonly config: ClosenessConfig) {}

  async checkpoint(): Promise<number> {
    return this.position;
  }

  async apply(facts: readonly ClosenessFact[], range: CheckpointRange): Promise<void> {
    if (range.after !== this.position)
      throw new CheckpointMismatchError('closeness', range.after, this.position);
    for (const fact of facts) {
      let entry = this.customers.get(fact.customerId);
      if (!entry) {
        entry = { state: emptyClosenessState(fact.customerId, this.config), rankKey: 0, facts: [] };
        this.customers.set(fact.customerId, entry);
      } else {
        this.ranking.delete([entry.rankKey, fact.customerId]);
      }
      entry.state = applyClosenessFact(entry.state, fact, this.config).state;
      entry.rankKey = closenessRankKey(entry.state, this.config);
      entry.facts.push(fact);
      this.ranking.set([entry.rankKey, fact.customerId], undefined);
      if (this.latest === null || fact.occurredAtMs > this.latest) this.latest = fact.occurredAtMs;
    }
    this.position = range.upTo;
  }

  async customer(customerId: string): Promise<CustomerCloseness | null> {
    const entry = this.customers.get(customerId);
    return entry ? { state: entry.state, facts: [...entry.facts] } : null;
  }

  async top(limit: number): Promise<RankedCustomer[]> {
    const out: RankedCustomer[] = [];
    for (const [rankKey, customerId] of this.ranking.keys()) {
      if (out.length >= limit) break;
      out.push(this.ranked(rankKey, customerId));
    }
    return out;
  }

  async quiet(
    lastContactAtMostMs: number,
    limit: number,
    maxScan: number,
  ): Promise<RankedCustomer[]> {
    const out: RankedCustomer[] = [];
    let scanned = 0;
    for (const [rankKey, customerId] of this.ranking.keys()) {
      if (out.length >= limit || scanned >= maxScan) break;
      scanned += 1;
      const ranked = this.ranked(rankKey, customerId);
      if (ranked.lastContactMs !== null && ranked.lastContactMs <= lastContactAtMostMs)
        out.push(ranked);
    }
    return out;
  }

  async latestContactMs(): Promise<number | null> {
    return this.latest;
  }

  async clear(): Promise<void> {
    this.customers.clear();
    this.ranking.clear();
    this.position = 0;
    this.latest = null;
  }

  private ranked(rankKey: number, customerId: string): RankedCustomer {
    const state = this.customers.get(customerId)?.state;
    return { customerId, rankKey, lastContactMs: state?.lastContactMs ?? null };
  }
}
