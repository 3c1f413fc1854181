import { type TimelineEntry, type TimelinePage, type TimelineQuery } from '@rapport/domain';
import { type CheckpointRange } from '../projection/checkpoint';

/**
 * The timeline read model port. Adapters: memory (embedded default) and Redis. Every
 * adapter passes `contract/timeline-read-model-contract.ts`.
 */
export interface TimelineReadModel {
  /** The log position of the last event applied; 0 for an empty model. */
  checkpoint(): Promise<number>;
  /**
   * Adds the entries of the log range (`after`, `upTo`] and moves the checkpoint to
   * `upTo`, as one atomic step. The model must be at checkpoint `after`; otherwise it
   * writes nothing and throws `CheckpointMismatchError` — so a batch redelivered after a
   * crash is never counted twice, and a writer that lost its place (or its lease, or a
   * read model that came back empty) finds out instead of writing over the gap.
   */
  apply(entries: readonly TimelineEntry[], range: CheckpointRange): Promise<void>;
  /** One page of a customer's timeline, newest first. */
  page(customerId: string, query: TimelineQuery): Promise<TimelinePage>;
  /** The customer an identity (by its key, `email:ann@example.com`) belongs to. */
  customerByIdentity(identityKey: string): Promise<string | null>;
  /** Forgets everything (the model is rebuilt from the log). */
  clear(): Promise<void>;
}
