import { numberJson, type WrittenState } from './state-json';

/** Strings up to this many UTF-16 units are copied unit by unit when ASCII (`write`). */
const SHORT_STRING = 64;

/** MessagePack's array 32 header: a type byte and a 4-byte count. */
const ARRAY_HEADER = 5;

/** MessagePack's str 32 header, which a state's JSON always takes (`pushState`). */
const STR32_HEADER = 5;

/**
 * The closeness writer's packed argument: the format of `StringPacker` (one MessagePack array
 * of strings, docs/decisions/0020), with `pushState`, which writes a kept state's JSON — the
 * bytes `stateJson` gives — into the buffer piece by piece: its constant head, its numbers,
 * its channels and each conversation's kept JSON. No string of the whole state is built (and
 * then flattened, and copied again as UTF-8): that was about 2 KB of garbage per event in a
 * rebuild, a quarter of what the process allocated (docs/decisions/0055).
 */
export class ClosenessPacker {
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
    // The header is sized for the longest UTF-8 form (3 bytes per unit), as `StringPacker`'s.
    const most = 3 * value.length;
    const header = most < 32 ? 1 : most < 0x100 ? 2 : most < 0x10000 ? 3 : 5;
    this.reserve(header + most);
    const start = this.offset + header;
    const end = value.length > 0 ? this.write(value, start) : start;
    this.header(header, end - start);
    this.offset = end;
    this.count++;
  }

  /**
   * `stateJson(written.state, written.conversations)`, packed as one string: its kept head,
   * its numbers and channels, its conversations' JSON joined, and its tail, each written
   * straight into the buffer.
   */
  pushState(written: WrittenState): void {
    const { state, conversations } = written;
    const middle =
      numberJson(state.intensity) +
      ',"emotion":' +
      numberJson(state.emotion) +
      ',"coCreation":' +
      numberJson(state.coCreation) +
      ',"channels":' +
      JSON.stringify(state.channels) +
      ',"conversations":[';
    const joined = conversations.join(',');
    const tail =
      '],"lastContactMs":' +
      (state.lastContactMs === null ? 'null' : numberJson(state.lastContactMs)) +
      ',"facts":' +
      numberJson(state.facts) +
      '}';
    this.reserve(
      STR32_HEADER + 3 * (written.head.length + middle.length + joined.length + tail.length),
    );
    const start = this.offset + STR32_HEADER;
    let at = this.write(written.head, start);
    at = this.write(middle, at);
    if (joined.length > 0) at += this.buffer.write(joined, at);
    at = this.write(tail, at);
    this.header(STR32_HEADER, at - start);
    this.offset = at;
    this.count++;
  }

  /** The packed array; the packer is not to be used after. */
  finish(): Buffer {
    this.buffer[0] = 0xdd; // array 32
    this.buffer.writeUInt32BE(this.count, 1);
    return this.buffer.subarray(0, this.offset);
  }

  /** Writes the header of a string of `bytes` at the offset, `size` bytes wide. */
  private header(size: number, bytes: number): void {
    const buffer = this.buffer;
    let at = this.offset;
    if (size === 1) {
      buffer[at] = 0xa0 | bytes; // fixstr
    } else if (size === 2) {
      buffer[at++] = 0xd9; // str 8
      buffer[at] = bytes;
    } else if (size === 3) {
      buffer[at++] = 0xda; // str 16
      buffer.writeUInt16BE(bytes, at);
    } else {
      buffer[at++] = 0xdb; // str 32
      buffer.writeUInt32BE(bytes, at);
    }
  }

  /** Writes `value` as UTF-8 at `at` (room reserved), returns where it ends. */
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
