import {
  type CustomerErasedV1,
  type CustomerProfile,
  type IdentityGraphEvent,
  type SeenName,
  type TimelineEntry,
  type TimelinePage,
  type TimelineQuery,
} from '@rapport/domain';
import { type CheckpointRange } from '../projection/checkpoint';
import { type MergeSuggestionQueue } from '../merge-suggestions/merge-suggestion-queue';
import { type CustomerNames } from '../names/customer-names';
import { type TimelineAsOf } from '../time-travel/log-as-of';

/**
 * The timeline read model port. Adapters: memory (embedded default) and Redis. Every
 * adapter passes `contract/timeline-read-model-contract.ts`.
 *
 * Entries are filed per identity (the touchpoint's primary identity) and never move; the
 * identity graph (folded from the identity events) says which identities a customer has,
 * so a customer's timeline is the union of its identities' entries, and a merged id
 * answers for its survivor.
 *
 * Every query takes an optional `asOf` (time travel): it is then answered as the model
 * would have answered at checkpoint `asOf.position` — with `asOf.graph` (the identity graph
 * folded up to that position, see `IdentityGraphHistory`) instead of the model's own, and
 * only the entries at positions up to it. The model must have applied the log that far.
 */
/** What a batch changes about people beyond their entries. */
export interface TimelinePersonalData {
  /** Pseudonymous identity key → the plain value its touchpoints carried (for display). */
  readonly plainIdentities?: ReadonlyMap<string, string>;
  /**
   * People forgotten in this batch, after its entries: their timelines, activity, plain
   * values and streams are deleted, and their customer ids answer as unknown from then on.
   */
  readonly erasures?: readonly CustomerErasedV1[];
  /** Erased customers whose suppression was lifted: known again (empty until they come back). */
  readonly unerased?: readonly string[];
  /** Pseudonymous identity key → the latest name its touchpoints of the batch carried. */
  readonly names?: ReadonlyMap<string, SeenName>;
}

export interface TimelineReadModel extends CustomerNames, MergeSuggestionQueue {
  /**
   * How many `apply` calls may still be outstanding when the next one is made (absent: 0).
   * Above 0 only for a model that applies batches in call order and refuses, by its
   * checkpoint check, a batch after one that failed; the projection passes it on to the runner.
   */
  readonly maxInFlight?: number;
  /** The log position of the last event applied; 0 for an empty model. */
  checkpoint(): Promise<number>;
  /**
   * Adds the entries and folds the identity events of the log range (`after`, `upTo`] and
   * moves the checkpoint to `upTo`, as one atomic step. The model must be at checkpoint
   * `after`; otherwise it writes nothing and throws `CheckpointMismatchError` — so a batch
   * redelivered after a crash is never counted twice, and a writer that lost its place (or
   * its lease, or a read model that came back empty) finds out instead of writing over the gap.
   */
  apply(
    entries: readonly TimelineEntry[],
    range: CheckpointRange,
    identityEvents?: readonly IdentityGraphEvent[],
    personal?: TimelinePersonalData,
  ): Promise<void>;
  /**
   * The plain values of pseudonymous identity keys (`email:~…` → `ann@example.com`), for the
   * API to show staff; keys never seen with a plain value, or erased, are left out.
   */
  plainIdentities(keys: readonly string[]): Promise<Map<string, string>>;
  /** One page of a customer's unified timeline, newest first (a merged id: its survivor's). */
  page(customerId: string, query: TimelineQuery, asOf?: TimelineAsOf): Promise<TimelinePage>;
  /** The customer an identity (by its key, `email:ann@example.com`) belongs to now (a survivor). */
  customerByIdentity(identityKey: string, asOf?: TimelineAsOf): Promise<string | null>;
  /** The customer an id stands for now: itself, or the survivor it was merged into; null if unknown. */
  resolveCustomer(customerId: string, asOf?: TimelineAsOf): Promise<string | null>;
  /** Identities, channels, first and last contact, counts and merge history; null if unknown. */
  profile(customerId: string, asOf?: TimelineAsOf): Promise<CustomerProfile | null>;
  /** Forgets everything (the model is rebuilt from the log). */
  clear(): Promise<void>;
}
