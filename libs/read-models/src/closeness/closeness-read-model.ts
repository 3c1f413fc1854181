import {
  type CustomerErasedV1,
  type ClosenessConfig,
  type ClosenessFact,
  type ClosenessState,
  type IdentityGraphEvent,
} from '@rapport/domain';
import { type CheckpointRange } from '../projection/checkpoint';
import { type TimelineAsOf } from '../time-travel/log-as-of';

/** A point in the log to answer as of: a position and the identity graph folded up to it. */
export type ClosenessAsOf = TimelineAsOf;

/** A customer in ranking order: the ranking key is the forward sum Σ wᵢ·2^((tᵢ−T₀)/h). */
export interface RankedCustomer {
  readonly customerId: string;
  readonly rankKey: number;
  readonly lastContactMs: number | null;
}

/** One customer's folded state and the facts it was folded from (to recompute as of any time). */
export interface CustomerCloseness {
  /** The surviving customer: the id asked for, or the one it was merged into. */
  readonly customerId: string;
  readonly state: ClosenessState;
  readonly facts: readonly ClosenessFact[];
}

/**
 * The closeness read model port. Adapters: memory (embedded default) and Redis; both pass
 * `closeness-read-model-contract.ts`. Rankings are in ranking-key order, highest first, ties
 * by customer id descending (the order of a Redis `ZREVRANGE`).
 */
export interface ClosenessReadModel {
  readonly config: ClosenessConfig;
  /**
   * How many `apply` calls may still be outstanding when the next one is made (absent: 0);
   * as the timeline's (`TimelineReadModel.maxInFlight`).
   */
  readonly maxInFlight?: number;
  /** The log position of the last event applied; 0 for an empty model. */
  checkpoint(): Promise<number>;
  /**
   * Folds the facts and identity events of the log range (`after`, `upTo`] into their
   * customers and moves the checkpoint to `upTo`, as one atomic step; `CheckpointMismatchError`
   * (nothing written) when the model is not at `after`. A customer's facts are those of its
   * identities and of the customers merged into it (`closeness-membership.ts`): a merge folds
   * the survivor again from all of them and takes the merged id out of the rankings; an
   * unmerge splits them back.
   */
  apply(
    facts: readonly ClosenessFact[],
    range: CheckpointRange,
    identityEvents?: readonly IdentityGraphEvent[],
  ): Promise<void>;
  /**
   * Applies the log range (`after`, `upTo`] that holds these erasures and nothing else
   * (`closenessProjection` applies each erasure alone), atomically with the checkpoint:
   * every fact of the forgotten people — the buckets of `identityKeys`, of each of
   * `erasedCustomerIds` and of the customers they answer for — is deleted, those customers
   * leave the rankings and the at-risk index (a customer who kept other buckets is folded
   * again from them), and their streams are forgotten. Aggregates without ids (the latest
   * contact) are kept. From then on an erased id answers as unknown; facts that arrive for
   * it later count afresh.
   */
  erase(erasures: readonly CustomerErasedV1[], range: CheckpointRange): Promise<void>;
  /** A customer's closeness; a merged id answers with its survivor's. */
  customer(customerId: string): Promise<CustomerCloseness | null>;
  /**
   * A customer's closeness as the log up to `asOf.position` had it: who it was by the
   * identity graph of then (`asOf.graph`: later links, merges and unmerges not applied),
   * folded from its buckets' facts recorded at or before that position; null if none.
   */
  customerAsOf(customerId: string, asOf: ClosenessAsOf): Promise<CustomerCloseness | null>;
  /** The `limit` customers with the highest ranking keys: O(log n + limit). */
  top(limit: number): Promise<RankedCustomer[]>;
  /**
   * `top` and `latestContactMs` read together, in one command (optional: `ClosenessQueries`
   * asks for both at once otherwise).
   */
  topWithLatest?(
    limit: number,
  ): Promise<{ ranked: RankedCustomer[]; latestContactMs: number | null }>;
  /**
   * The `limit` highest-ranked customers whose last contact is at or before
   * `lastContactAtMostMs` (gone quiet), in ranking order. Exact; walks the per-hour index of
   * last contacts (see `quiet-hours.ts`): O(d + b·(log n + limit)) for d hours after the bound
   * and b hours visited (about limit at most) — independent of how many customers are active.
   */
  quiet(lastContactAtMostMs: number, limit: number): Promise<RankedCustomer[]>;
  /**
   * The surviving customers whose last contact is after `afterMs`, or null when there are
   * more than `max`. A ranking as of a past moment folds each of them again (their keys then
   * differ from their keys now); `max` bounds that cost.
   */
  contactedAfter(afterMs: number, max: number): Promise<string[] | null>;
  /** Each surviving customer's facts, in log order: its buckets' (see `customer`). */
  factsOf(customerIds: readonly string[]): Promise<Map<string, ClosenessFact[]>>;
  /** The latest contact time applied (any customer); null for an empty model. */
  latestContactMs(): Promise<number | null>;
  /** Forgets everything (the model is rebuilt from the log). */
  clear(): Promise<void>;
}
