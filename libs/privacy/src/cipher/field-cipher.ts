import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { DATA_KEY_BYTES, type DataKey } from '../keys/data-key';
import { decryptV2, encryptV2, PREFIX_V2 } from './field-cipher-v2';
import { FieldDecryptionError } from './field-decryption-error';
import { HmacSha256 } from './hmac-sha256';
import { scratch } from './scratch-space';

import { ERASED, type Erased } from '@rapport/domain';

export { ERASED, type Erased, isErased } from '@rapport/domain';

export { FieldDecryptionError } from './field-decryption-error';

/**
 * The formats a value is sealed in: 1, AES-256-GCM by `node:crypto`, which every reader
 * opens; 2, XChaCha20-Poly1305 by libsodium, cheaper (docs/decisions/0050-sealed-format-v2.md).
 */
export type SealFormat = 1 | 2;

const PREFIX = 'enc:v1:';
const ENCRYPTED = /^enc:v[12]:[A-Za-z0-9_-]*$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const aadText = (subjectId: string, field: string) => `rapport:field:v1\0${subjectId}\0${field}`;

const IV_KEY_INFO = 'rapport:field-iv:v1\x01';
/** HKDF's extract step with no salt: an HMAC under 32 zero bytes. */
const HKDF_EXTRACT = new HmacSha256(Buffer.alloc(32));

/**
 * HKDF-SHA-256 (RFC 5869) of a 32-byte key, no salt, one block of output: the same bytes as
 * `hkdfSync('sha256', key, '', 'rapport:field-iv:v1', 32)`, as its two HMACs, at a fraction
 * of its cost (it runs once per data key a process seals with).
 */
function ivKeyOf(key: Buffer): Buffer {
  const pseudorandom = HKDF_EXTRACT.ofPadded(Buffer.concat([Buffer.alloc(HmacSha256.ROOM), key]));
  return new HmacSha256(pseudorandom).ofPadded(
    Buffer.from(`${HmacSha256.ROOM_TEXT}${IV_KEY_INFO}`, 'latin1'),
  );
}

/**
 * What a data key is used as, made once per key: its AES key as an OpenSSL key object (which
 * spares every cipher an import of the raw bytes), and — for sealing only — the HMAC of the
 * key that derives its IVs (HKDF, so the AES key is never used as an HMAC key).
 */
class KeyObjects {
  readonly aes: KeyObject;
  private ivKey: HmacSha256 | undefined;

  constructor(private readonly bytes: Buffer) {
    this.aes = createSecretKey(bytes);
  }

  get iv(): HmacSha256 {
    return (this.ivKey ??= new HmacSha256(ivKeyOf(this.bytes)));
  }
}
const keyObjects = new WeakMap<Buffer, KeyObjects>();
function keyObjectsOf(key: DataKey): KeyObjects {
  let objects = keyObjects.get(key.bytes);
  if (!objects) keyObjects.set(key.bytes, (objects = new KeyObjects(key.bytes)));
  return objects;
}

function assertKey(key: DataKey): void {
  if (key.bytes.length !== DATA_KEY_BYTES) throw new Error('data key must be 32 bytes');
}

/** Format v1: AES-256-GCM by `node:crypto`, the IV an HMAC (0027, 0036). */
function encryptV1(key: DataKey, field: string, plaintext: string): string {
  const objects = keyObjectsOf(key);
  // One encoding of `additional data \0 plaintext`, with room for the HMAC's pad in front:
  // the HMAC reads it whole, the cipher its parts. The sealed value is put together behind
  // it, in the same scratch space.
  const additional = aadText(key.subjectId, field);
  const message = `${HmacSha256.ROOM_TEXT}${additional}\0${plaintext}`;
  const space = scratch(2 * 3 * message.length + IV_BYTES + TAG_BYTES);
  const end = space.write(message, 0, 'utf8');
  const aadEnd = HmacSha256.ROOM + Buffer.byteLength(additional, 'utf8');
  try {
    const out = end;
    space.write(objects.iv.latin1OfPadded(space.subarray(0, end)), out, IV_BYTES, 'latin1');
    const cipher = createCipheriv(
      'aes-256-gcm',
      objects.aes,
      space.subarray(out, out + IV_BYTES),
    ).setAAD(space.subarray(HmacSha256.ROOM, aadEnd));
    const body = cipher.update(space.subarray(aadEnd + 1, end));
    cipher.final(); // GCM outputs nothing here, but computes the tag
    body.copy(space, out + IV_BYTES);
    const tagAt = out + IV_BYTES + body.length;
    cipher.getAuthTag().copy(space, tagAt);
    return PREFIX + space.toString('base64url', out, tagAt + TAG_BYTES);
  } finally {
    space.fill(0, 0, end + IV_BYTES + (end - aadEnd) + TAG_BYTES);
  }
}

function decryptV1(key: DataKey, field: string, value: string): string {
  const additional = aadText(key.subjectId, field);
  // The packed bytes, then the additional data, decoded into the scratch space.
  const space = scratch(value.length + 3 * additional.length);
  const packed = space.write(value.slice(PREFIX.length), 0, 'base64url');
  const end = packed + space.write(additional, packed, 'utf8');
  try {
    if (packed < IV_BYTES + TAG_BYTES) {
      throw new FieldDecryptionError(`field ${field}: ciphertext truncated`);
    }
    const decipher = createDecipheriv(
      'aes-256-gcm',
      keyObjectsOf(key).aes,
      space.subarray(0, IV_BYTES),
    )
      .setAAD(space.subarray(packed, end))
      .setAuthTag(space.subarray(packed - TAG_BYTES, packed));
    try {
      const text = decipher.update(space.subarray(IV_BYTES, packed - TAG_BYTES));
      decipher.final(); // authenticates; GCM outputs nothing here
      return text.toString('utf8');
    } catch {
      throw new FieldDecryptionError(
        `field ${field}: does not authenticate (altered, or another subject, field or key)`,
      );
    }
  } finally {
    space.fill(0, 0, end);
  }
}

/**
 * Personal fields encrypted with their subject's data key, with a synthetic nonce (a keyed
 * hash of the field, subject and plaintext under a key derived from the data key) and the
 * subject id and the field path as additional data. Format v1: AES-256-GCM,
 * `enc:v1:<base64url(iv | ciphertext | tag)>`; v2: XChaCha20-Poly1305,
 * `enc:v2:<base64url(nonce | ciphertext | tag)>` (`field-cipher-v2`). The same plaintext under
 * the same key, subject, field and format gives the same ciphertext, so a redelivered event
 * is recognised as a duplicate by the log; it reveals only that two values of one person's
 * field are equal (docs/decisions/0027-crypto-shredding-keys.md).
 */
export const FieldCipher = {
  /**
   * `field` names where the value lives (e.g. `content.text`); decrypt must name the same one.
   * Format 1 unless told: every reader of a sealed value opens it (the outbound API checks it).
   */
  encrypt(key: DataKey, field: string, plaintext: string, format: SealFormat = 1): string {
    assertKey(key);
    return format === 2
      ? encryptV2(key.bytes, key.subjectId, field, plaintext)
      : encryptV1(key, field, plaintext);
  },

  /**
   * The plaintext, or `ERASED` when the subject has no key any more (`key` undefined).
   * Throws `FieldDecryptionError` when the value is not a ciphertext of a known format or
   * does not authenticate under this key, subject and field: that is damage or tampering,
   * which a reader must not mistake for an erasure.
   */
  decrypt(key: DataKey | undefined, field: string, value: string): string | Erased {
    if (!FieldCipher.isEncrypted(value)) {
      throw new FieldDecryptionError(`field ${field}: not an encrypted value`);
    }
    if (!key) return ERASED;
    assertKey(key);
    return value.startsWith(PREFIX_V2)
      ? decryptV2(key.bytes, key.subjectId, field, value)
      : decryptV1(key, field, value);
  },

  /** Whether a stored value is a field ciphertext (of a format version this code opens). */
  isEncrypted(value: unknown): value is string {
    return typeof value === 'string' && ENCRYPTED.test(value);
  },
};
