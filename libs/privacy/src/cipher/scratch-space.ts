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

/** Views kept at most; past it they are made again. */
const MAX_VIEWS = 4096;
let views = new Map<number, Buffer>();
let viewsOf: Buffer | undefined;

/**
 * `space.subarray(start, end)`, made once per range of the kept space and reused: libsodium
 * reads whole buffers, and a new view of each part of every value sealed or opened was a
 * fifth of what sealing allocated (docs/decisions/0060). Space of its own (above the kept
 * size) gets a new view.
 */
export function view(space: Buffer, start: number, end: number): Buffer {
  if (space.length > KEPT) return space.subarray(start, end);
  if (space !== viewsOf) {
    views = new Map();
    viewsOf = space;
  }
  const key = start * (KEPT + 1) + end;
  let found = views.get(key);
  if (found === undefined) {
    if (views.size >= MAX_VIEWS) views.clear();
    views.set(key, (found = space.subarray(start, end)));
  }
  return found;
}
