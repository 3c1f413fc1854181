import { type ClosenessConfig, halfLifeMs } from './closeness-config';
import { breadthSum, closenessRankKey, type ClosenessState } from './closeness-state';
import { decayedValue } from './forward-decay';

export const CLOSENESS_COMPONENTS = ['intensity', 'emotion', 'breadth', 'coCreation'] as const;
export type ClosenessComponent = (typeof CLOSENESS_COMPONENTS)[number];

/** A score and how it splits into its components (the points add up to the score). */
export interface ClosenessScore {
  /** 0–100. */
  readonly score: number;
  /** Relationship strength R at `asOf`: the decayed sum of every weight. */
  readonly strength: number;
  readonly components: Readonly<Record<ClosenessComponent, number>>;
}

/** 100 · (1 − 2^(−R / halfScoreStrength)): 0 without contact, 50 at R = halfScoreStrength. */
export function scoreOfStrength(strength: number, config: ClosenessConfig): number {
  return 100 * (1 - 2 ** (-strength / config.halfScoreStrength));
}

/** The strength at `asOfMs` of a ranking key (a forward sum relative to the configured landmark). */
export function strengthOfRankKey(
  rankKey: number,
  asOfMs: number,
  config: ClosenessConfig,
): number {
  return decayedValue(rankKey, asOfMs, Date.parse(config.landmark), halfLifeMs(config));
}

/** The score at `asOfMs` of a ranking key. */
export function scoreOfRankKey(rankKey: number, asOfMs: number, config: ClosenessConfig): number {
  return scoreOfStrength(strengthOfRankKey(rankKey, asOfMs, config), config);
}

/**
 * The score at `asOfMs` of a state whose facts all happened at or before `asOfMs`: each
 * component's forward sum decayed to `asOfMs`, the score from their total, and the points
 * of each component in proportion to its share of the total.
 */
export function closenessAt(
  state: ClosenessState,
  asOfMs: number,
  config: ClosenessConfig,
): ClosenessScore {
  const h = halfLifeMs(config);
  const decay = (sum: number) => decayedValue(sum, asOfMs, state.landmarkMs, h);
  const parts = {
    intensity: decay(state.intensity),
    emotion: decay(state.emotion),
    breadth: decay(breadthSum(state, config)),
    coCreation: decay(state.coCreation),
  };
  const strength = decay(closenessRankKey(state, config));
  const score = scoreOfStrength(strength, config);
  const share = (part: number) => (strength > 0 ? (score * part) / strength : 0);
  return {
    score,
    strength,
    components: {
      intensity: share(parts.intensity),
      emotion: share(parts.emotion),
      breadth: share(parts.breadth),
      coCreation: share(parts.coCreation),
    },
  };
}
