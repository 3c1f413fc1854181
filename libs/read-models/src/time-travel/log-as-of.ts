import { type IdentityGraph } from '@rapport/domain';

/**
 * What a read model needs to answer as of a past log position: the position (entries at
 * later positions are left out) and the identity graph folded from the decisions up to it
 * (merges, unmerges and links that came later are not applied).
 */
export interface TimelineAsOf {
  readonly position: number;
  readonly graph: IdentityGraph;
}

/** The log as it was at a position, with when the log recorded its event (null at 0). */
export interface LogAsOf extends TimelineAsOf {
  readonly recordedAt: string | null;
}
