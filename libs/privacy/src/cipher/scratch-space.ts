/**
 * Scratch space for one cipher operation at a time (they are synchronous): where a value is
 * encoded, hashed, sealed or opened, zeroed by the caller after each use. Encoding into the
 * process's Buffer pool instead made a new 8 KB pool every few dozen values, and copies of it
 * for the results.
 */
let space = Buffer.alloc(4096);
/** Values above this size get space of their own, which is not kept. */
const KEPT = 64 * 1024;

/** A buffer of at least `bytes` bytes, zeros where the last user zeroed it. */
export function scratch(bytes: number): Buffer {
  if (bytes <= space.length) return space;
  if (bytes > KEPT) return Buffer.alloc(bytes);
  return (space = Buffer.alloc(Math.min(KEPT, Math.max(bytes, 2 * space.length))));
}
