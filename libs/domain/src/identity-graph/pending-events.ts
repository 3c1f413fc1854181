import { type IdentityGraph, evolve } from './identity-graph';
import { type IdentityGraphEvent } from './identity-graph-events';

/**
 * The events a decider has decided so far, and the graph as it will be once they are
 * applied. A decider that emits several events decides each next one on the graph its
 * earlier ones produce — through `evolve` itself, so decisions and replays cannot drift.
 */
export class PendingEvents {
  readonly events: IdentityGraphEvent[] = [];

  constructor(private current: IdentityGraph) {}

  get graph(): IdentityGraph {
    return this.current;
  }

  emit(event: IdentityGraphEvent): void {
    this.events.push(event);
    this.current = evolve(this.current, event);
  }
}
