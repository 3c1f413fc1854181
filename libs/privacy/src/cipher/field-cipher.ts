import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
} from 'node:crypto';
import { DATA_KEY_BYTES, type DataKey } from '../keys/data-key';

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

const aad = (subjectId: string, field: string) =>
  Buffer.from(`rapport:field:v1\0${subjectId}\0${field}`, 'utf8');

/**
 * A data key as OpenSSL key objects, made once per key (a key object spares every cipher and
 * HMAC an import of the raw bytes): its AES key, and — for sealing only — the key that
 * derives its IVs (HKDF, so the AES key is never used as an HMAC key).
 */
class KeyObjects {
  readonly aes: KeyObject;
  private ivKey: KeyObject | undefined;

  constructor(private readonly bytes: Buffer) {
    this.aes = createSecretKey(bytes);
  }

  get iv(): KeyObject {
    return (this.ivKey ??= createSecretKey(
      Buffer.from(hkdfSync('sha256', this.bytes, Buffer.alloc(0), 'rapport:field-iv:v1', 32)),
    ));
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
    const additional = aad(key.subjectId, field);
    const objects = keyObjectsOf(key);
    const iv = createHmac('sha256', objects.iv)
      .update(additional)
      .update('\0')
      .update(plaintext, 'utf8')
      .digest()
      .subarray(0, IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', objects.aes, iv).setAAD(additional);
    const body = cipher.update(plaintext, 'utf8');
    const last = cipher.final(); // before the tag: GCM computes it here
    return PREFIX + Buffer.concat([iv, body, last, cipher.getAuthTag()]).toString('base64url');
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
      const body = packed.subarray(IV_BYTES, packed.length - TAG_BYTES);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
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
