import { type ClosenessStreams, EMPTY_IDENTITY_GRAPH, type IdentityGraph } from '@rapport/domain';

/** A batch's view of what is kept in process: the whole graph and streams, not a loaded part. */
export interface KeptMembership {
  readonly graph: IdentityGraph;
  readonly streams: ClosenessStreams;
}

/**
 * The closeness model's identity graph and streams (which identity bucket each customer's
 * own facts were first filed under, and back), kept in process by a writer that has written
 * all of them since the model was empty, so that a batch is planned on the whole graph
 * without reading or loading any of it — and so without waiting for the batch before it to
 * finish in Redis. The graph is the persistent one each batch folds (kept by reference).
 * Kept while batches follow each other (each continuing from the position the one before
 * moved the model to); forgotten on anything else — a failed write, a writer that starts
 * from a non-empty model, more than `maxRecords` records — and then read from Redis again.
 */
export class WrittenMembership {
  private graph: IdentityGraph | null = null;
  /** The position the last batch moves the model to; null: nothing kept. */
  private at: number | null = null;
  private readonly customerOfStream = new Map<string, string>();
  private readonly streamOfCustomer = new Map<string, string>();
  private readonly streams: ClosenessStreams = {
    customerOfStream: (bucket) => this.customerOfStream.get(bucket),
    streamOfCustomer: (id) => this.streamOfCustomer.get(id),
  };

  constructor(private readonly maxRecords = 1_000_000) {}

  /** The model is empty at position 0 (no checkpoint, no graph, no stream). */
  startEmpty(): void {
    this.forget();
    this.graph = EMPTY_IDENTITY_GRAPH;
    this.at = 0;
  }

  /** What a batch continuing from `after` may use instead of Redis, or null. */
  for(after: number): KeptMembership | null {
    if (this.graph === null) return null;
    if (this.at !== after) {
      this.forget();
      return null;
    }
    return { graph: this.graph, streams: this.streams };
  }

  /**
   * A batch from `after` to `upTo` is being written: the graph after it and the streams it
   * began. Kept at once; the writer calls `forget` if the write fails.
   */
  writing(
    after: number,
    upTo: number,
    graph: IdentityGraph,
    newStreams: ReadonlyMap<string, string>,
    newCustomerStreams: ReadonlyMap<string, string>,
  ): void {
    if (this.at !== after) return this.forget();
    this.graph = graph;
    this.at = upTo;
    for (const [bucket, customer] of newStreams) this.customerOfStream.set(bucket, customer);
    for (const [customer, bucket] of newCustomerStreams)
      this.streamOfCustomer.set(customer, bucket);
    const records =
      graph.customers.size +
      graph.identities.size +
      this.customerOfStream.size +
      this.streamOfCustomer.size;
    if (records > this.maxRecords) this.forget();
  }

  forget(): void {
    this.graph = null;
    this.at = null;
    this.customerOfStream.clear();
    this.streamOfCustomer.clear();
  }
}
