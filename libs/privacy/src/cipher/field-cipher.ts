import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { DATA_KEY_BYTES, type DataKey } from '../keys/data-key';
import { HmacSha256 } from './hmac-sha256';

import { ERASED, type Erased } from '@rapport/domain';

export { ERASED, type Erased, isErased } from '@rapport/domain';

/** A field ciphertext was altered, truncated, or moved to another subject or field. */
export class FieldDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldDecryptionError';
  }
}

const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const aadText = (subjectId: string, field: string) => `rapport:field:v1\0${subjectId}\0${field}`;
const aad = (subjectId: string, field: string) => Buffer.from(aadText(subjectId, field), 'utf8');

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

/**
 * Personal fields encrypted with their subject's data key: AES-256-GCM with a synthetic
 * 96-bit IV (an HMAC of the field, subject and plaintext under a key derived from the data
 * key), the subject id and the field path as additional data. Format:
 * `enc:v1:<base64url(iv | ciphertext | tag)>`. The same plaintext under the same key, subject
 * and field gives the same ciphertext, so a redelivered event is recognised as a duplicate
 * by the log; it reveals only that two values of one person's field are equal
 * (docs/decisions/0027-crypto-shredding-keys.md).
 */
export const FieldCipher = {
  /** `field` names where the value lives (e.g. `content.text`); decrypt must name the same one. */
  encrypt(key: DataKey, field: string, plaintext: string): string {
    assertKey(key);
    const objects = keyObjectsOf(key);
    // One encoding of `additional data \0 plaintext`, with room for the HMAC's pad in front:
    // the HMAC reads it whole, the cipher its parts.
    const additional = aadText(key.subjectId, field);
    const all = Buffer.from(`${HmacSha256.ROOM_TEXT}${additional}\0${plaintext}`, 'utf8');
    const aadEnd = HmacSha256.ROOM + Buffer.byteLength(additional, 'utf8');
    const iv = objects.iv.ofPadded(all).subarray(0, IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', objects.aes, iv).setAAD(
      all.subarray(HmacSha256.ROOM, aadEnd),
    );
    const body = cipher.update(all.subarray(aadEnd + 1));
    cipher.final(); // GCM outputs nothing here, but computes the tag
    return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  },

  /**
   * The plaintext, or `ERASED` when the subject has no key any more (`key` undefined).
   * Throws `FieldDecryptionError` when the value is not a v1 ciphertext or does not
   * authenticate under this key, subject and field: that is damage or tampering, which a
   * reader must not mistake for an erasure.
   */
  decrypt(key: DataKey | undefined, field: string, value: string): string | Erased {
    if (!FieldCipher.isEncrypted(value)) {
      throw new FieldDecryptionError(`field ${field}: not an encrypted value`);
    }
    if (!key) return ERASED;
    assertKey(key);
    const packed = Buffer.from(value.slice(PREFIX.length), 'base64url');
    if (packed.length < IV_BYTES + TAG_BYTES) {
      throw new FieldDecryptionError(`field ${field}: ciphertext truncated`);
    }
    const iv = packed.subarray(0, IV_BYTES);
    const tag = packed.subarray(packed.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', keyObjectsOf(key).aes, iv)
      .setAAD(aad(key.subjectId, field))
      .setAuthTag(tag);
    try {
      const text = decipher.update(packed.subarray(IV_BYTES, packed.length - TAG_BYTES));
      decipher.final(); // authenticates; GCM outputs nothing here
      return text.toString('utf8');
    } catch {
      throw new FieldDecryptionError(
        `field ${field}: does not authenticate (altered, or another subject, field or key)`,
      );
    }
  },

  /** Whether a stored value is a field ciphertext (of this format version). */
  isEncrypted(value: unknown): value is string {
    return (
      typeof value === 'string' &&
      value.startsWith(PREFIX) &&
      /^[A-Za-z0-9_-]*$/.test(value.slice(PREFIX.length))
    );
  },
};
