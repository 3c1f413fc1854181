import {
  EMPTY_IDENTITY_GRAPH,
  evolve,
  IDENTITY_GRAPH_STREAM,
  type IdentityDecisionMetadata,
  type IdentityGraph,
  identityGraphEventFrom,
} from '@rapport/domain';
import { type EventStore, type NewEvent, WrongExpectedRevisionError } from '@rapport/event-store';

const READ_CHUNK = 1000;

/**
 * The identity graph as the write side sees it: the fold of the `identity-graph` stream,
 * kept up to date by reading the stream on from the last revision it folded. Decisions are
 * appended with that exact revision as the expected one, so a decision made on a graph
 * that has moved meanwhile (another resolver, a staff request) is refused by the log and
 * decided again — never appended on a stale graph.
 */
export class IdentityGraphLog {
  private current: IdentityGraph = EMPTY_IDENTITY_GRAPH;
  private revision = -1;
  private resolved = 0;

  constructor(private readonly store: EventStore) {}

  get graph(): IdentityGraph {
    return this.current;
  }

  /** The revision of the stream's last folded event (-1: none). */
  get streamRevision(): number {
    return this.revision;
  }

  /** The log position of the last touchpoint identities were decided for. */
  get resolvedUpTo(): number {
    return this.resolved;
  }

  /** Folds what was appended to the stream since the last read. */
  async refresh(): Promise<IdentityGraph> {
    for (;;) {
      const events = await this.store.readStream(IDENTITY_GRAPH_STREAM, {
        fromRevision: this.revision + 1,
        maxCount: READ_CHUNK,
      });
      for (const recorded of events) {
        // Appended by this log itself while the read was under way: folded already.
        if (recorded.revision <= this.revision) continue;
        const event = identityGraphEventFrom(recorded);
        if (event) this.current = evolve(this.current, event);
        this.revision = recorded.revision;
        this.noteCause(recorded.metadata);
      }
      if (events.length < READ_CHUNK) return this.current;
    }
  }

  /**
   * Appends decisions made on `graph` (the current graph) and takes `decided` (the graph
   * with them) as current. False when the stream moved since the last refresh: nothing was
   * appended, the graph is refreshed, and the caller decides again.
   */
  async tryAppend(events: readonly NewEvent[], decided: IdentityGraph): Promise<boolean> {
    if (events.length === 0) return true;
    try {
      const expected = this.revision < 0 ? 'no_stream' : this.revision;
      const result = await this.store.append(IDENTITY_GRAPH_STREAM, events, expected);
      this.revision = result.nextExpectedRevision;
      this.current = decided;
      for (const event of events) this.noteCause(event.metadata);
      return true;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      await this.refresh();
      return false;
    }
  }

  private noteCause(metadata: unknown): void {
    const position = (metadata as Partial<IdentityDecisionMetadata> | null)?.causePosition;
    if (typeof position === 'number' && position > this.resolved) this.resolved = position;
  }
}
