/**
 * A list of strings as one MessagePack array, for a Lua script to unpack with Redis's
 * built-in `cmsgpack.unpack` into a table of strings: one binary argument instead of one
 * per string (docs/decisions/0020-redis-batches-as-one-packed-argument.md).
 */
export function packStrings(values: readonly string[]): Buffer {
  const packer = new StringPacker(values.length * 16);
  for (const value of values) packer.push(value);
  return packer.finish();
}

/** Strings up to this many UTF-16 units are copied unit by unit when ASCII (`write`). */
const SHORT_STRING = 64;

/** MessagePack's array 32 header: a type byte and a 4-byte count. */
const ARRAY_HEADER = 5;

/**
 * Builds the array of `packStrings` one string at a time, each encoded once, straight into
 * the buffer: no list of strings to keep, and `pushJoined` packs two strings as one (a
 * timeline member's position and JSON) without concatenating them. The header of each
 * string is sized for its longest possible UTF-8 form (3 bytes per UTF-16 unit), so it may
 * be wider than the shortest one; MessagePack readers (Redis's `cmsgpack`) accept that.
 */
export class StringPacker {
  private buffer: Buffer;
  private offset = ARRAY_HEADER;
  private count = 0;

  constructor(expectedBytes = 4096) {
    this.buffer = Buffer.allocUnsafe(ARRAY_HEADER + Math.max(64, expectedBytes));
  }

  /** How many strings have been pushed so far. */
  get length(): number {
    return this.count;
  }

  push(value: string): void {
    this.pushJoined(value, '');
  }

  /** Packs `head + tail` as one string. */
  pushJoined(head: string, tail: string): void {
    const most = 3 * (head.length + tail.length);
    const header = most < 32 ? 1 : most < 0x100 ? 2 : most < 0x10000 ? 3 : 5;
    this.reserve(header + most);
    const start = this.offset + header;
    let end = start;
    if (head.length > 0) end = this.write(head, end);
    if (tail.length > 0) end = this.write(tail, end);
    const bytes = end - start;
    const buffer = this.buffer;
    let at = this.offset;
    if (header === 1) {
      buffer[at] = 0xa0 | bytes; // fixstr
    } else if (header === 2) {
      buffer[at++] = 0xd9; // str 8
      buffer[at] = bytes;
    } else if (header === 3) {
      buffer[at++] = 0xda; // str 16
      buffer.writeUInt16BE(bytes, at);
    } else {
      buffer[at++] = 0xdb; // str 32
      buffer.writeUInt32BE(bytes, at);
    }
    this.offset = end;
    this.count++;
  }

  /** The packed array; the packer is not to be used after. */
  finish(): Buffer {
    this.buffer[0] = 0xdd; // array 32
    this.buffer.writeUInt32BE(this.count, 1);
    return this.buffer.subarray(0, this.offset);
  }

  /**
   * Writes `value` as UTF-8 at `at` (room reserved), returns where it ends. A short ASCII
   * string (most of a batch's: scores, keys, counts) is copied here: cheaper than a call into
   * `Buffer.write`, which pays for itself only on longer strings.
   */
  private write(value: string, at: number): number {
    const buffer = this.buffer;
    if (value.length <= SHORT_STRING) {
      let i = 0;
      for (; i < value.length; i++) {
        const unit = value.charCodeAt(i);
        if (unit > 0x7f) break;
        buffer[at + i] = unit;
      }
      if (i === value.length) return at + i;
    }
    return at + buffer.write(value, at);
  }

  private reserve(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.offset + bytes));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }
}
