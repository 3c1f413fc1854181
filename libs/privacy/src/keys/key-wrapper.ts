import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { randomPool } from './random-pool';

/**
 * Wraps data keys under a master key that never reaches the key table. A KMS (envelope
 * encryption) is a drop-in: the operations are asynchronous for that reason.
 * Both operations bind the subject id, so a wrapped key copied to another subject's row
 * does not unwrap.
 */
export interface KeyWrapper {
  wrap(dataKey: Buffer, subjectId: string): Promise<Buffer>;
  /** Throws when the wrapped key was altered, moved to another subject or wrapped by another master key. */
  unwrap(wrapped: Buffer, subjectId: string): Promise<Buffer>;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** First byte of a wrapped key: the format, so a later wrapper can tell old keys apart. */
const FORMAT_V1 = 1;
const FORMAT = Buffer.of(FORMAT_V1);

const aad = (subjectId: string) => Buffer.from(`rapport:data-key:v1\0${subjectId}`, 'utf8');

/**
 * AES-256-GCM under a 32-byte master key from configuration. Wrapped form:
 * `0x01 | iv (12) | ciphertext | tag (16)`.
 */
export class LocalMasterKeyWrapper implements KeyWrapper {
  /** An OpenSSL key object, made once: each wrap and unwrap would otherwise import the bytes. */
  private readonly masterKey: KeyObject;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) {
      throw new Error(`master key must be 32 bytes, got ${masterKey.length}`);
    }
    this.masterKey = createSecretKey(Buffer.from(masterKey));
  }

  /** From configuration: the 32 bytes in standard or URL-safe base64. */
  static fromBase64(encoded: string): LocalMasterKeyWrapper {
    return new LocalMasterKeyWrapper(decodeSecret(encoded, 'master key'));
  }

  async wrap(dataKey: Buffer, subjectId: string): Promise<Buffer> {
    const iv = randomPool.take(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv).setAAD(aad(subjectId));
    const ciphertext = cipher.update(dataKey);
    cipher.final(); // GCM outputs nothing here, but computes the tag
    return Buffer.concat([FORMAT, iv, ciphertext, cipher.getAuthTag()]);
  }

  async unwrap(wrapped: Buffer, subjectId: string): Promise<Buffer> {
    if (wrapped.length < 1 + IV_BYTES + TAG_BYTES || wrapped[0] !== FORMAT_V1) {
      throw new Error('wrapped data key: unknown format');
    }
    const iv = wrapped.subarray(1, 1 + IV_BYTES);
    const tag = wrapped.subarray(wrapped.length - TAG_BYTES);
    const ciphertext = wrapped.subarray(1 + IV_BYTES, wrapped.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.masterKey, iv)
      .setAAD(aad(subjectId))
      .setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new Error(
        'wrapped data key does not unwrap: another master key, another subject, or altered',
      );
    }
  }
}

/** Decodes a base64 (standard or URL-safe) secret from configuration, strictly. */
export function decodeSecret(encoded: string, what: string): Buffer {
  const trimmed = encoded.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new Error(`${what} must be base64`);
  }
  return Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}
