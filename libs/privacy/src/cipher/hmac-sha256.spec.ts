import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { HmacSha256 } from './hmac-sha256';

describe('HmacSha256', () => {
  it('gives the bytes createHmac gives, for any key and any message', () => {
    fc.assert(
      fc.property(
        // Longer than a block (64 bytes) too: such a key is hashed first.
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 600 }),
        (key, message) => {
          const padded = Buffer.concat([Buffer.alloc(HmacSha256.ROOM, 7), message]);
          const hmac = new HmacSha256(Buffer.from(key));
          const expected = createHmac('sha256', key).update(message).digest();
          expect(hmac.ofPadded(padded)).toEqual(expected);
          // Again with the same object: nothing of the first message is left behind.
          expect(hmac.ofPadded(Buffer.concat([Buffer.alloc(HmacSha256.ROOM), message]))).toEqual(
            expected,
          );
        },
      ),
    );
  });

  it('prefixes with a text that encodes to exactly its room', () => {
    expect(Buffer.byteLength(HmacSha256.ROOM_TEXT, 'utf8')).toBe(HmacSha256.ROOM);
  });
});
