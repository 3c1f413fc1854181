import {
  crypto_aead_xchacha20poly1305_ietf_decrypt as open,
  crypto_aead_xchacha20poly1305_ietf_encrypt as seal,
  crypto_generichash as blake2b,
} from 'sodium-native';
import { FieldDecryptionError } from './field-decryption-error';
import { scratch, view } from './scratch-space';

export const PREFIX_V2 = 'enc:v2:';
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
/** The length of the additional data, in front of it in the nonce's input. */
const LENGTH_BYTES = 4;

const aadText = (subjectId: string, field: string) => `rapport:field:v2\0${subjectId}\0${field}`;

const NONCE_KEY_LABEL = Buffer.from('rapport:field-nonce:v2', 'latin1');
/** Each data key's nonce key, made once per key a process seals with. */
const nonceKeys = new WeakMap<Buffer, Buffer>();
/** BLAKE2b-256 of a label keyed by the data key: the nonces' key is never the cipher's. */
function nonceKeyOf(key: Buffer): Buffer {
  let nonceKey = nonceKeys.get(key);
  if (!nonceKey) {
    nonceKey = Buffer.alloc(32);
    blake2b(nonceKey, NONCE_KEY_LABEL, key);
    nonceKeys.set(key, nonceKey);
  }
  return nonceKey;
}

/**
 * Format v2 of a field ciphertext: XChaCha20-Poly1305 (libsodium, one call that allocates
 * nothing) with a synthetic 192-bit nonce — BLAKE2b of the additional data (its length in
 * front) and the plaintext, keyed by a key derived from the data key — and the subject id and
 * the field path as additional data. `enc:v2:<base64url(nonce | ciphertext | tag)>`. The same
 * plaintext under the same key, subject and field seals to the same bytes, as v1 does.
 * docs/decisions/0050-sealed-format-v2.md
 */
export function encryptV2(
  key: Buffer,
  subjectId: string,
  field: string,
  plaintext: string,
): string {
  const additional = aadText(subjectId, field);
  // `length | additional data | plaintext` (the nonce's input; the cipher reads its two
  // parts), then `nonce | ciphertext | tag` behind it.
  const space = scratch(2 * (LENGTH_BYTES + 3 * (additional.length + plaintext.length)) + 64);
  const aadEnd = LENGTH_BYTES + space.write(additional, LENGTH_BYTES, 'utf8');
  space.writeUInt32BE(aadEnd - LENGTH_BYTES, 0);
  const end = aadEnd + space.write(plaintext, aadEnd, 'utf8');
  const nonce = view(space, end, end + NONCE_BYTES);
  const sealedEnd = end + NONCE_BYTES + (end - aadEnd) + TAG_BYTES;
  try {
    blake2b(nonce, view(space, 0, end), nonceKeyOf(key));
    seal(
      view(space, end + NONCE_BYTES, sealedEnd),
      view(space, aadEnd, end),
      view(space, LENGTH_BYTES, aadEnd),
      null,
      nonce,
      key,
    );
    return PREFIX_V2 + space.toString('base64url', end, sealedEnd);
  } finally {
    space.fill(0, 0, sealedEnd);
  }
}

/** The plaintext of a v2 ciphertext; throws `FieldDecryptionError` when it does not authenticate. */
export function decryptV2(key: Buffer, subjectId: string, field: string, value: string): string {
  const additional = aadText(subjectId, field);
  // The packed bytes, the additional data, then room for the plaintext.
  const space = scratch(2 * value.length + 3 * additional.length);
  const packed = space.write(value.slice(PREFIX_V2.length), 0, 'base64url');
  const aadEnd = packed + space.write(additional, packed, 'utf8');
  const textEnd = aadEnd + packed - NONCE_BYTES - TAG_BYTES;
  try {
    if (packed < NONCE_BYTES + TAG_BYTES) {
      throw new FieldDecryptionError(`field ${field}: ciphertext truncated`);
    }
    try {
      open(
        view(space, aadEnd, textEnd),
        null,
        view(space, NONCE_BYTES, packed),
        view(space, packed, aadEnd),
        view(space, 0, NONCE_BYTES),
        key,
      );
    } catch {
      throw new FieldDecryptionError(
        `field ${field}: does not authenticate (altered, or another subject, field or key)`,
      );
    }
    return space.toString('utf8', aadEnd, textEnd);
  } finally {
    space.fill(0, 0, Math.max(aadEnd, textEnd));
  }
}
