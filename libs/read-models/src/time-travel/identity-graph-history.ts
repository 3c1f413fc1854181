import { LRUCache } from 'lru-cache';
import {
  EMPTY_IDENTITY_GRAPH,
  evolve,
  IDENTITY_GRAPH_STREAM,
  type IdentityGraph,
  identityGraphEventFrom,
} from '@rapport/domain';
import { type EventStore, type RecordedEvent } from '@rapport/event-store';
import { FollowedDecisions } from './followed-decisions';

const READ_CHUNK = 1000;

export interface IdentityGraphHistoryOptions {
  /** A graph may be kept after every this many identity decisions (default 128). */
  readonly snapshotEvery?: number;
  /**
   * How many of those graphs are kept, the most recently used (default 64;
   * `RAPPORT_TIME_TRAVEL_SNAPSHOTS`). One that is not is folded again from the log.
   */
  readonly snapshots?: number;
  /** How many graphs asked for are kept, by the position asked (default 32). */
  readonly cached?: number;
  /**
   * Every this-many-th snapshot is kept for good, outside the LRU (default 16: one graph
   * per 2,048 decisions), so that every refold starts from one of them at worst.
   */
  readonly spineEvery?: number;
}

/**
 * The identity graph as of any log position: the fold of the `identity-graph` stream's
 * events up to that position, and nothing else of the log — so its cost is bounded by the
 * number of identity decisions, never by the number of touchpoints.
 *
 * It follows the stream (reading on from where it stopped) and keeps the latest graph, the
 * log position of every `snapshotEvery`-th decision (a sorted array, d / 128 numbers), and
 * the folded graphs at those boundaries: every `spineEvery`-th for good (the spine), the
 * others in an LRU of `snapshots` entries. The graph as of a position is the snapshot at
 * the last boundary at or before it plus at most `snapshotEvery` − 1 decisions read from
 * the log in one read. A snapshot the LRU has let go is folded again from the nearest one
 * kept — at worst the spine's, at most `spineEvery` × `snapshotEvery` decisions before —
 * reading the decisions in between from the log, and kept again. The latest graph and the
 * last `cached` graphs asked for are answered without reading the stream.
 *
 * Memory: the latest graph, d / (`snapshotEvery` × `spineEvery`) spine graphs, at most
 * `snapshots` + `cached` graphs more, and d / `snapshotEvery` positions. The graphs are
 * persistent values, and every one is folded from the one before or from the spine, so
 * each owns only the trie paths its own decisions changed.
 */
export class IdentityGraphHistory {
  private readonly snapshotEvery: number;
  /** boundaries[i]: the log position of decision (i + 1) × snapshotEvery (its last one). */
  private readonly boundaries: number[] = [];
  /** i → the graph after the first i × snapshotEvery decisions (0, the empty graph, is not kept). */
  private readonly snapshots: LRUCache<number, IdentityGraph>;
  private readonly spineEvery: number;
  /** spine[j]: the snapshot j × spineEvery, kept for good ([0] is the empty graph). */
  private readonly spine: IdentityGraph[] = [EMPTY_IDENTITY_GRAPH];
  /** position asked → the graph then. */
  private readonly asked: LRUCache<number, IdentityGraph> | null;
  private latest: IdentityGraph = EMPTY_IDENTITY_GRAPH;
  /** How many decisions `latest` folds, and the position of the last of them. */
  private folded = 0;
  private lastPosition = 0;
  private readonly followed: FollowedDecisions;
  /** Snapshots being folded again from the log, by index. */
  private readonly refolding = new Map<number, Promise<IdentityGraph>>();

  constructor(
    private readonly store: EventStore,
    options: IdentityGraphHistoryOptions = {},
  ) {
    this.snapshotEvery = Math.max(1, options.snapshotEvery ?? 128);
    this.snapshots = new LRUCache({ max: Math.max(1, options.snapshots ?? 64) });
    this.spineEvery = Math.max(1, options.spineEvery ?? 16);
    const cached = Math.max(0, options.cached ?? 32);
    this.asked = cached > 0 ? new LRUCache({ max: cached }) : null;
    this.followed = new FollowedDecisions(store, () => this.readOn());
  }

  /** How many identity decisions have been folded so far. */
  get decisions(): number {
    return this.folded;
  }

  /** How many snapshots are held now (at most `snapshots`). */
  get snapshotsHeld(): number {
    return this.snapshots.size;
  }

  /**
   * The identity graph as the log had it at `position`: every decision at or before it
   * applied, none after. Throws a RangeError for a position past the log's head.
   */
  async graphAt(position: number): Promise<IdentityGraph> {
    await this.followed.cover(position);
    if (position >= this.lastPosition) return this.latest;
    const cached = this.asked?.get(position);
    if (cached) return cached;
    // Every decision up to boundary `base` is at or before the position, and the next
    // boundary's decision after it: at most snapshotEvery − 1 decisions in between are.
    const base = boundariesUpTo(this.boundaries, position);
    const from = base * this.snapshotEvery;
    const between = Math.min(this.snapshotEvery - 1, this.folded - from);
    const events =
      between > 0
        ? await this.store.readStream(IDENTITY_GRAPH_STREAM, {
            fromRevision: from,
            maxCount: between,
          })
        : [];
    let graph = await this.snapshotAt(base);
    for (const recorded of events) {
      if (recorded.position > position) break;
      graph = fold(graph, recorded);
    }
    this.asked?.set(position, graph);
    return graph;
  }

  /**
   * The graph after `index` × snapshotEvery decisions: kept, or folded again from the log —
   * once for all the callers that ask for it meanwhile.
   */
  private snapshotAt(index: number): Promise<IdentityGraph> {
    if (index === 0) return Promise.resolve(EMPTY_IDENTITY_GRAPH);
    if (index * this.snapshotEvery === this.folded) return Promise.resolve(this.latest);
    const kept = this.kept(index);
    if (kept) return Promise.resolve(kept);
    let refold = this.refolding.get(index);
    if (!refold) {
      refold = this.refold(index).finally(() => this.refolding.delete(index));
      this.refolding.set(index, refold);
    }
    return refold;
  }

  private async refold(index: number): Promise<IdentityGraph> {
    // The nearest snapshot kept before it: in the LRU, or on the spine at worst — so a
    // refolded graph shares structure with the spine's, and a miss reads at most
    // spineEvery × snapshotEvery decisions.
    let start = index - 1;
    while (start % this.spineEvery !== 0 && !this.snapshots.has(start)) start--;
    let graph = this.kept(start)!;
    for (let revision = start * this.snapshotEvery; revision < index * this.snapshotEvery;) {
      const events = await this.store.readStream(IDENTITY_GRAPH_STREAM, {
        fromRevision: revision,
        maxCount: Math.min(READ_CHUNK, index * this.snapshotEvery - revision),
      });
      if (events.length === 0) throw new Error(`the identity-graph stream ends at ${revision}`);
      for (const recorded of events) {
        graph = fold(graph, recorded);
        revision += 1;
        // The boundaries passed on the way are kept too: the next miss nearby starts there.
        if (revision % this.snapshotEvery === 0 && revision < index * this.snapshotEvery)
          this.keep(revision / this.snapshotEvery, graph);
      }
    }
    this.keep(index, graph);
    return graph;
  }

  private kept(index: number): IdentityGraph | undefined {
    return index % this.spineEvery === 0
      ? this.spine[index / this.spineEvery]
      : this.snapshots.get(index);
  }

  private keep(index: number, graph: IdentityGraph): void {
    if (index % this.spineEvery === 0) this.spine[index / this.spineEvery] = graph;
    else this.snapshots.set(index, graph);
  }

  /** Folds the decisions appended since the last read. */
  private async readOn(): Promise<void> {
    for (;;) {
      const events = await this.store.readStream(IDENTITY_GRAPH_STREAM, {
        fromRevision: this.folded,
        maxCount: READ_CHUNK,
      });
      for (const recorded of events) {
        if (recorded.revision !== this.folded) continue; // read twice: folded already
        this.latest = fold(this.latest, recorded);
        this.folded += 1;
        this.lastPosition = recorded.position;
        if (this.folded % this.snapshotEvery === 0) {
          this.boundaries.push(recorded.position);
          this.keep(this.folded / this.snapshotEvery, this.latest);
        }
      }
      if (events.length < READ_CHUNK) break;
    }
  }
}

function fold(graph: IdentityGraph, recorded: RecordedEvent): IdentityGraph {
  const event = identityGraphEventFrom(recorded);
  return event ? evolve(graph, event) : graph;
}

/** How many of the (ascending) boundary positions are at or below `position`. */
function boundariesUpTo(boundaries: readonly number[], position: number): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (boundaries[mid] <= position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
