/**
 * Forward decay (Cormode et al., "Forward Decay: A Practical Time Decay Model for Streaming
 * Systems"): instead of decaying every stored value as time passes, weigh each item by how
 * late it happened relative to a fixed landmark T₀. The value of a sum at time T is
 * `F · 2^((T₀ − T)/h)` — the same factor for everybody, so the order of the sums never
 * changes with T, and a sorted set of F orders everybody correctly at any moment.
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
