import { type TimelineEntry, type TimelinePage, type TimelineQuery } from '@rapport/domain';

/**
 * The timeline read model port. Adapters: memory (embedded default) and Redis. Every
 * adapter passes `contract/timeline-read-model-contract.ts`.
 */
export interface TimelineReadModel {
  /** The log position of the last event applied; 0 for an empty model. */
  checkpoint(): Promise<number>;
  /**
   * Adds the entries and moves the checkpoint to `checkpoint`, as one atomic step.
   * Entries at or below the current checkpoint are ignored, so a batch re-delivered
   * after a crash is never counted twice.
   */
  apply(entries: readonly TimelineEntry[], checkpoint: number): Promise<void>;
  /** One page of a customer's timeline, newest first. */
  page(customerId: string, query: TimelineQuery): Promise<TimelinePage>;
  /** The customer an identity (by its key, `email:ann@example.com`) belongs to. */
  customerByIdentity(identityKey: string): Promise<string | null>;
  /** Forgets everything (the model is rebuilt from the log). */
  clear(): Promise<void>;
}
