import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import {
  crypto_aead_xchacha20poly1305_ietf_decrypt as open,
  crypto_aead_xchacha20poly1305_ietf_encrypt as seal,
} from 'sodium-native';
import { type SealFormat } from '../cipher/field-cipher';
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
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
/** First byte of a wrapped key: the format, so a later wrapper can tell old keys apart. */
const FORMAT_V1 = 1;
const FORMAT_V2 = 2;

const aad = (subjectId: string, format: SealFormat) =>
  Buffer.from(`rapport:data-key:v${format}\0${subjectId}`, 'utf8');

/**
 * Wraps under a 32-byte master key from configuration. Format 2 (the default):
 * `0x02 | nonce (24) | ciphertext | tag (16)`, XChaCha20-Poly1305 by libsodium with a random
 * nonce — one call, no OpenSSL object. Format 1, still unwrapped, and written with
 * `format: 1` during a rolling upgrade (docs/decisions/0050): `0x01 | iv (12) | ciphertext |
 * tag (16)`, AES-256-GCM.
 */
export class LocalMasterKeyWrapper implements KeyWrapper {
  /** An OpenSSL key object, made once: each wrap and unwrap would otherwise import the bytes. */
  private readonly masterKeyObject: KeyObject;
  private readonly masterKey: Buffer;

  constructor(
    masterKey: Buffer,
    private readonly format: SealFormat = 2,
  ) {
    if (masterKey.length !== 32) {
      throw new Error(`master key must be 32 bytes, got ${masterKey.length}`);
    }
    this.masterKey = Buffer.from(masterKey);
    this.masterKeyObject = createSecretKey(this.masterKey);
  }

  /** From configuration: the 32 bytes in standard or URL-safe base64. */
  static fromBase64(encoded: string, format: SealFormat = 2): LocalMasterKeyWrapper {
    return new LocalMasterKeyWrapper(decodeSecret(encoded, 'master key'), format);
  }

  async wrap(dataKey: Buffer, subjectId: string): Promise<Buffer> {
    if (this.format === 1) return this.wrapV1(dataKey, subjectId);
    const wrapped = Buffer.alloc(1 + NONCE_BYTES + dataKey.length + TAG_BYTES);
    wrapped[0] = FORMAT_V2;
    const nonce = wrapped.subarray(1, 1 + NONCE_BYTES);
    randomPool.take(NONCE_BYTES).copy(nonce);
    seal(
      wrapped.subarray(1 + NONCE_BYTES),
      dataKey,
      aad(subjectId, 2),
      null,
      nonce,
      this.masterKey,
    );
    return wrapped;
  }

  async unwrap(wrapped: Buffer, subjectId: string): Promise<Buffer> {
    if (wrapped.length >= 1 + NONCE_BYTES + TAG_BYTES && wrapped[0] === FORMAT_V2) {
      const dataKey = Buffer.alloc(wrapped.length - 1 - NONCE_BYTES - TAG_BYTES);
      try {
        open(
          dataKey,
          null,
          wrapped.subarray(1 + NONCE_BYTES),
          aad(subjectId, 2),
          wrapped.subarray(1, 1 + NONCE_BYTES),
          this.masterKey,
        );
      } catch {
        throw new UnwrapError();
      }
      return dataKey;
    }
    if (wrapped.length < 1 + IV_BYTES + TAG_BYTES || wrapped[0] !== FORMAT_V1) {
      throw new Error('wrapped data key: unknown format');
    }
    const iv = wrapped.subarray(1, 1 + IV_BYTES);
    const tag = wrapped.subarray(wrapped.length - TAG_BYTES);
    const ciphertext = wrapped.subarray(1 + IV_BYTES, wrapped.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.masterKeyObject, iv)
      .setAAD(aad(subjectId, 1))
      .setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new UnwrapError();
    }
  }

  private wrapV1(dataKey: Buffer, subjectId: string): Buffer {
    const iv = randomPool.take(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.masterKeyObject, iv).setAAD(
      aad(subjectId, 1),
    );
    const ciphertext = cipher.update(dataKey);
    cipher.final(); // GCM outputs nothing here, but computes the tag
    return Buffer.concat([Buffer.of(FORMAT_V1), iv, ciphertext, cipher.getAuthTag()]);
  }
}

class UnwrapError extends Error {
  constructor() {
    super('wrapped data key does not unwrap: another master key, another subject, or altered');
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
