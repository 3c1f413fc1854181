import { type CustomerRecord, type IdentityGraph, type IdentityRecord } from '@rapport/domain';
import { type GraphRecords } from '../redis-identity-graph';

/**
 * The whole identity graph of a model that one writer has built from empty, kept in
 * process so that each batch folds its identity events without reading the graph back
 * from Redis (docs/decisions/0020-redis-batches-as-one-packed-argument.md).
 *
 * Complete or nothing: an absent record means absent in Redis only because this writer
 * wrote every record since the model was empty. It is kept while batches follow each
 * other — each continuing from the position the one before moved the model to — and
 * forgotten on anything else (a failed batch, a writer that starts from a non-empty model,
 * a graph larger than `maxRecords`); the writer then reads Redis as before.
 */
export class WrittenGraph {
  private readonly customerRecords = new Map<string, CustomerRecord>();
  private readonly identityRecords = new Map<string, IdentityRecord>();
  private folded = 0;
  /** The position the last batch folded moves the model to; null: nothing kept. */
  private at: number | null = null;

  constructor(private readonly maxRecords = 1_000_000) {}

  /** The model is empty at position 0 (no checkpoint, no graph): everything starts here. */
  startEmpty(): void {
    this.forget();
    this.at = 0;
  }

  /** The graph's records for a batch continuing from `after`, or null (read Redis instead). */
  recordsFor(after: number): GraphRecords | null {
    if (this.at === null) return null;
    if (this.at !== after) {
      this.forget();
      return null;
    }
    return {
      identities: (keys) => Promise.resolve(keys.map((key) => this.identityRecords.get(key))),
      customers: (ids) => Promise.resolve(ids.map((id) => this.customerRecords.get(id))),
      eventCount: () => Promise.resolve(this.folded),
    };
  }

  /**
   * A batch up to `upTo` folded this part of the graph and is being written. Kept at once,
   * so the next batch can fold before this one's write has returned; if the write fails,
   * the writer calls `forget` (and the next batch's write fails its checkpoint check).
   */
  folding(part: IdentityGraph, upTo: number): void {
    for (const [id, record] of part.customers.entries()) this.customerRecords.set(id, record);
    for (const [key, record] of part.identities.entries()) this.identityRecords.set(key, record);
    this.folded = part.eventCount;
    this.at = upTo;
    if (this.customerRecords.size + this.identityRecords.size > this.maxRecords) this.forget();
  }

  /** A batch without identity events moved the model on. */
  moved(after: number, upTo: number): void {
    if (this.at === after) this.at = upTo;
    else this.forget();
  }

  forget(): void {
    this.customerRecords.clear();
    this.identityRecords.clear();
    this.folded = 0;
    this.at = null;
  }
}
