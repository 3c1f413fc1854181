import {
  EMPTY_IDENTITY_GRAPH,
  evolve,
  IDENTITY_GRAPH_STREAM,
  type IdentityGraph,
  identityGraphEventFrom,
} from '@rapport/domain';
import { type EventStore, type RecordedEvent } from '@rapport/event-store';

const READ_CHUNK = 1000;

export interface IdentityGraphHistoryOptions {
  /** A graph is kept after every this many identity decisions (default 128). */
  readonly snapshotEvery?: number;
  /** How many graphs asked for are kept, by how many decisions they fold (default 32). */
  readonly cached?: number;
}

/**
 * The identity graph as of any log position: the fold of the `identity-graph` stream's
 * events up to that position, and nothing else of the log — so its cost is bounded by the
 * number of identity decisions, never by the number of touchpoints.
 *
 * It follows the stream (reading on from where it stopped) and keeps, for each decision,
 * its log position (a sorted array: position → how many decisions precede it is a binary
 * search) and the folded graph after every `snapshotEvery` decisions. The graph is a
 * persistent value, so those snapshots share almost all their structure. The graph as of a
 * position is then the nearest snapshot at or before it plus at most `snapshotEvery − 1`
 * decisions read again from the log in one read: O(log d + snapshotEvery) for d decisions.
 * The latest graph and the last `cached` graphs asked for are answered without a read.
 */
export class IdentityGraphHistory {
  private readonly snapshotEvery: number;
  private readonly cacheSize: number;
  /** The log position of each decision, by stream revision. */
  private readonly positions: number[] = [];
  /** snapshots[i]: the graph after the first i × snapshotEvery decisions. */
  private readonly snapshots: IdentityGraph[] = [EMPTY_IDENTITY_GRAPH];
  private latest: IdentityGraph = EMPTY_IDENTITY_GRAPH;
  /** Every decision at a position up to this one is folded. */
  private coveredUpTo = 0;
  private refreshing: Promise<void> | undefined;
  /** decisions folded → graph, most recently asked last. */
  private readonly cache = new Map<number, IdentityGraph>();

  constructor(
    private readonly store: EventStore,
    options: IdentityGraphHistoryOptions = {},
  ) {
    this.snapshotEvery = Math.max(1, options.snapshotEvery ?? 128);
    this.cacheSize = Math.max(0, options.cached ?? 32);
  }

  /** How many identity decisions have been folded so far. */
  get decisions(): number {
    return this.positions.length;
  }

  /**
   * The identity graph as the log had it at `position`: every decision at or before it
   * applied, none after. Throws a RangeError for a position past the log's head.
   */
  async graphAt(position: number): Promise<IdentityGraph> {
    // A read already under way may have started before the caller saw its head: a second
    // one starts after, so it reads a head at least as far.
    for (let reads = 0; position > this.coveredUpTo; reads++) {
      if (reads === 2)
        throw new RangeError(`position ${position} is past the log's head ${this.coveredUpTo}`);
      await this.refresh();
    }
    const count = decisionsUpTo(this.positions, position);
    if (count === this.positions.length) return this.latest;
    const cached = this.cache.get(count);
    if (cached) {
      this.remember(count, cached);
      return cached;
    }
    const base = Math.floor(count / this.snapshotEvery);
    let graph = this.snapshots[base];
    const from = base * this.snapshotEvery;
    if (count > from) {
      const events = await this.store.readStream(IDENTITY_GRAPH_STREAM, {
        fromRevision: from,
        maxCount: count - from,
      });
      for (const recorded of events) graph = fold(graph, recorded);
    }
    this.remember(count, graph);
    return graph;
  }

  /** Reads the decisions appended since the last read (one read at a time, shared by callers). */
  private refresh(): Promise<void> {
    this.refreshing ??= this.readOn().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async readOn(): Promise<void> {
    // Read the head first: every decision at a position up to it is in the stream by now.
    const head = await this.store.headPosition();
    for (;;) {
      const events = await this.store.readStream(IDENTITY_GRAPH_STREAM, {
        fromRevision: this.positions.length,
        maxCount: READ_CHUNK,
      });
      for (const recorded of events) {
        if (recorded.revision !== this.positions.length) continue; // read twice: folded already
        this.latest = fold(this.latest, recorded);
        this.positions.push(recorded.position);
        if (this.positions.length % this.snapshotEvery === 0) this.snapshots.push(this.latest);
      }
      if (events.length < READ_CHUNK) break;
    }
    this.coveredUpTo = Math.max(this.coveredUpTo, head);
  }

  private remember(count: number, graph: IdentityGraph): void {
    if (this.cacheSize === 0) return;
    this.cache.delete(count);
    this.cache.set(count, graph);
    if (this.cache.size > this.cacheSize)
      this.cache.delete(this.cache.keys().next().value as number);
  }
}

function fold(graph: IdentityGraph, recorded: RecordedEvent): IdentityGraph {
  const event = identityGraphEventFrom(recorded);
  return event ? evolve(graph, event) : graph;
}

/** How many of the (ascending) positions are at or below `position`. */
function decisionsUpTo(positions: readonly number[], position: number): number {
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (positions[mid] <= position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
