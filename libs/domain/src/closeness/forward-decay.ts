/**
 * Forward decay (Cormode et al.): each item weighs 2^((t − T₀)/h) relative to a fixed
 * landmark T₀, and a sum F is worth `F · 2^((T₀ − T)/h)` at time T — the same factor for
 * everybody, so sums sorted once stay sorted
 * (docs/decisions/0014-forward-decay-for-closeness-rankings.md).
 */

/** The forward weight of an item that happened at `atMs`: 2^((t − T₀)/h). */
export function forwardWeight(atMs: number, landmarkMs: number, halfLifeMs: number): number {
  return 2 ** ((atMs - landmarkMs) / halfLifeMs);
}

/** The decayed value at `asOfMs` of a forward sum kept relative to `landmarkMs`. */
export function decayedValue(
  forwardSum: number,
  asOfMs: number,
  landmarkMs: number,
  halfLifeMs: number,
): number {
  return forwardSum * 2 ** ((landmarkMs - asOfMs) / halfLifeMs);
}

/**
 * The same forward sum relative to a later landmark. Every sum is multiplied by the same
 * positive factor, so the order of customers is kept; values shrink, so moving the
 * landmark forward keeps 2^((t − T₀)/h) far from overflowing.
 */
export function rescaleForwardSum(
  forwardSum: number,
  fromLandmarkMs: number,
  toLandmarkMs: number,
  halfLifeMs: number,
): number {
  return forwardSum * 2 ** ((fromLandmarkMs - toLandmarkMs) / halfLifeMs);
}
