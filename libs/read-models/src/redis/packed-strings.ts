/**
 * A list of strings as one MessagePack array, for a Lua script to unpack with Redis's
 * built-in `cmsgpack.unpack` into a table of strings.
 *
 * Why: a batch sent as thousands of separate script arguments costs the client far more
 * than the server — ioredis concatenates every argument into one string and converts it to
 * UTF-8, about 10 µs per timeline entry — while one binary argument is written straight
 * into a buffer (well under 1 µs per entry) and Redis decodes it in C.
 */
export function packStrings(values: readonly string[]): Buffer {
  const lengths = new Uint32Array(values.length);
  let size = 5; // array 32 header
  for (let i = 0; i < values.length; i++) {
    const bytes = Buffer.byteLength(values[i]);
    lengths[i] = bytes;
    size += bytes + (bytes < 32 ? 1 : bytes < 0x100 ? 2 : bytes < 0x10000 ? 3 : 5);
  }
  const buffer = Buffer.allocUnsafe(size);
  buffer[0] = 0xdd;
  buffer.writeUInt32BE(values.length, 1);
  let offset = 5;
  for (let i = 0; i < values.length; i++) {
    const bytes = lengths[i];
    if (bytes < 32) {
      buffer[offset++] = 0xa0 | bytes; // fixstr
    } else if (bytes < 0x100) {
      buffer[offset++] = 0xd9; // str 8
      buffer[offset++] = bytes;
    } else if (bytes < 0x10000) {
      buffer[offset++] = 0xda; // str 16
      buffer.writeUInt16BE(bytes, offset);
      offset += 2;
    } else {
      buffer[offset++] = 0xdb; // str 32
      buffer.writeUInt32BE(bytes, offset);
      offset += 4;
    }
    offset += buffer.write(values[i], offset);
  }
  return buffer;
}
