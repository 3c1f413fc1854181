import { type IdentityGraph } from '@rapport/domain';
import { type GraphRecords } from '../redis-identity-graph';
import { WrittenGraph } from '../timeline/written-graph';

/** A batch's view of the streams kept in process: whole maps, not a loaded part. */
export interface KeptMembership {
  readonly records: GraphRecords;
  readonly customerOfStream: ReadonlyMap<string, string>;
  readonly streamOfCustomer: ReadonlyMap<string, string>;
}

/**
 * The closeness model's identity graph and streams (which identity bucket each customer's
 * own facts were first filed under, and back), kept in process by a writer that has written
 * all of them since the model was empty, so that a batch is planned without reading them
 * back — and so without waiting for the batch before it to finish in Redis. Valid under the
 * same rule as `WrittenGraph` (batches that follow each other); forgotten on anything else,
 * and then read from Redis again.
 */
export class WrittenMembership {
  private readonly graph: WrittenGraph;
  private readonly customerOfStream = new Map<string, string>();
  private readonly streamOfCustomer = new Map<string, string>();

  constructor(private readonly maxRecords = 1_000_000) {
    this.graph = new WrittenGraph(maxRecords);
  }

  startEmpty(): void {
    this.forget();
    this.graph.startEmpty();
  }

  /** What a batch continuing from `after` may use instead of Redis, or null. */
  for(after: number): KeptMembership | null {
    const records = this.graph.recordsFor(after);
    if (records === null) {
      this.customerOfStream.clear();
      this.streamOfCustomer.clear();
      return null;
    }
    return {
      records,
      customerOfStream: this.customerOfStream,
      streamOfCustomer: this.streamOfCustomer,
    };
  }

  /**
   * A batch from `after` to `upTo` is being written: the graph as it folded it (null when
   * it had no identity events) and the streams it began. Kept at once; the writer calls
   * `forget` if the write fails.
   */
  writing(
    after: number,
    upTo: number,
    graph: IdentityGraph | null,
    newStreams: ReadonlyMap<string, string>,
    newCustomerStreams: ReadonlyMap<string, string>,
  ): void {
    if (graph) this.graph.folding(graph, upTo);
    else this.graph.moved(after, upTo);
    for (const [bucket, customer] of newStreams) this.customerOfStream.set(bucket, customer);
    for (const [customer, bucket] of newCustomerStreams)
      this.streamOfCustomer.set(customer, bucket);
    if (this.customerOfStream.size + this.streamOfCustomer.size > this.maxRecords) this.forget();
  }

  forget(): void {
    this.graph.forget();
    this.customerOfStream.clear();
    this.streamOfCustomer.clear();
  }
}
