import { type CheckpointRange } from '../projection/checkpoint';

/** A note as the read model keeps it: newest first by log position. */
export interface CustomerNote {
  readonly noteId: string;
  /** The customer it was written on (a merged customer's notes show on its survivor). */
  readonly customerId: string;
  readonly text: string;
  readonly staffId: string;
  readonly staffName?: string;
  readonly at: string;
  readonly position: number;
}

/** One change of a batch, in log order. */
export type AnnotationChange =
  | { readonly kind: 'note'; readonly note: CustomerNote }
  | { readonly kind: 'label'; readonly customerId: string; readonly label: string }
  | { readonly kind: 'unlabel'; readonly customerId: string; readonly label: string }
  /** The person was forgotten: their notes and labels go. */
  | { readonly kind: 'erase'; readonly customerId: string };

/**
 * The staff annotations port: internal notes and labels per customer id, and customers per
 * label. Adapters: memory and Redis, both passing `contract/customer-annotations-contract.ts`.
 * Keyed by the customer id an annotation was written on; a reader asks for a customer and
 * the customers merged into it.
 */
export interface CustomerAnnotationsReadModel {
  checkpoint(): Promise<number>;
  /** Applies the changes of (`after`, `upTo`] in order and moves the checkpoint, atomically. */
  apply(changes: readonly AnnotationChange[], range: CheckpointRange): Promise<void>;
  /** The notes on any of these customers, newest first, before a position (exclusive) if given. */
  notes(
    customerIds: readonly string[],
    options: { readonly limit: number; readonly before?: number },
  ): Promise<CustomerNote[]>;
  /** The labels any of these customers carry, sorted. */
  labels(customerIds: readonly string[]): Promise<string[]>;
  /** Customers carrying a label (sorted ids, at most `limit`). */
  customersLabelled(label: string, limit: number): Promise<string[]>;
  clear(): Promise<void>;
}
