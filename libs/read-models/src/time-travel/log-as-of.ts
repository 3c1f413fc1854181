import { type IdentityGraph } from '@rapport/domain';

/**
 * What a read model needs to answer as of a past log position: the position (entries at
 * later positions are left out) and the identity graph folded from the decisions up to it
 * (merges, unmerges and links that came later are not applied).
 */
export interface TimelineAsOf {
  readonly position: number;
  /**
   * The identity graph of then, at least around these customers and identities: each
   * one's chain of survivors, its whole merge group, their identities, and which of those
   * customers were kept apart — what `loadGraphAround` gives the live queries. Where the
   * whole graph is at hand, it is the answer.
   */
  graphAround(
    customerIds: readonly string[],
    identityKeys?: readonly string[],
  ): Promise<IdentityGraph>;
}

/** The log as it was at a position, with when the log recorded its event (null at 0). */
export interface LogAsOf extends TimelineAsOf {
  readonly recordedAt: string | null;
}

/** A position whose whole identity graph is at hand (tests, in-process models). */
export function wholeGraphAsOf(position: number, graph: IdentityGraph): TimelineAsOf {
  const whole = Promise.resolve(graph);
  return { position, graphAround: () => whole };
}
