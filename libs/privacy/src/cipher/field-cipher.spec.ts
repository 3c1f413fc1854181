import { createCipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  crypto_aead_xchacha20poly1305_ietf_encrypt as xchacha20poly1305,
  crypto_generichash as blake2b,
} from 'sodium-native';
import { type DataKey } from '../keys/data-key';
import {
  ERASED,
  FieldCipher,
  FieldDecryptionError,
  isErased,
  type SealFormat,
} from './field-cipher';

const keyOf = (subjectId: string, bytes = randomBytes(32)): DataKey => ({ subjectId, bytes });
const subjects = fc.string({ minLength: 1, maxLength: 40 });
const fields = fc.constantFrom('identity.value', 'content.subject', 'content.text', 'comment');
const texts = fc.string({ unit: 'binary', maxLength: 300 });

describe.each([1, 2] as SealFormat[])('FieldCipher, format %i', (format) => {
  const prefix = `enc:v${format}:`;
  const encrypt = (key: DataKey, field: string, text: string) =>
    FieldCipher.encrypt(key, field, text, format);

  it('round-trips any text, for any subject and field', () => {
    fc.assert(
      fc.property(subjects, fields, texts, (subject, field, text) => {
        const key = keyOf(subject);
        const sealed = encrypt(key, field, text);
        expect(sealed).toMatch(new RegExp(`^${prefix}[A-Za-z0-9_-]+$`));
        expect(FieldCipher.isEncrypted(sealed)).toBe(true);
        expect(FieldCipher.decrypt(key, field, sealed)).toBe(text);
      }),
    );
  });

  it('is deterministic per key, subject and field (a redelivery is a duplicate), and only there', () => {
    fc.assert(
      fc.property(subjects, texts, texts, (subject, text, other) => {
        const key = keyOf(subject);
        const once = encrypt(key, 'content.text', text);
        expect(encrypt(key, 'content.text', text)).toBe(once);
        expect(encrypt(key, 'content.subject', text)).not.toBe(once);
        expect(encrypt(keyOf(subject), 'content.text', text)).not.toBe(once);
        if (other !== text) expect(encrypt(key, 'content.text', other)).not.toBe(once);
      }),
    );
  });

  it('reads as ERASED, without throwing, once the key is gone', () => {
    fc.assert(
      fc.property(subjects, fields, texts, (subject, field, text) => {
        const sealed = encrypt(keyOf(subject), field, text);
        const read = FieldCipher.decrypt(undefined, field, sealed);
        expect(read).toBe(ERASED);
        expect(isErased(read)).toBe(true);
        expect(JSON.stringify({ text: read })).toBe('{"text":{"erased":true}}');
      }),
    );
  });

  it('refuses, with FieldDecryptionError, a ciphertext moved to another subject or field', () => {
    fc.assert(
      fc.property(subjects, subjects, texts, (subject, other, text) => {
        fc.pre(subject !== other);
        const bytes = randomBytes(32);
        const sealed = encrypt(keyOf(subject, bytes), 'content.text', text);
        // Same key bytes, another person: the subject id is authenticated, not only the key.
        expect(() => FieldCipher.decrypt(keyOf(other, bytes), 'content.text', sealed)).toThrow(
          FieldDecryptionError,
        );
        expect(() => FieldCipher.decrypt(keyOf(subject, bytes), 'comment', sealed)).toThrow(
          FieldDecryptionError,
        );
      }),
    );
  });

  it('refuses any altered byte and any truncation', () => {
    fc.assert(
      fc.property(texts, fc.nat(), fc.integer({ min: 1, max: 255 }), (text, at, flip) => {
        const key = keyOf('customer-1');
        const sealed = encrypt(key, 'content.text', text);
        const packed = Buffer.from(sealed.slice(prefix.length), 'base64url');
        const altered = Buffer.from(packed);
        altered[at % altered.length] ^= flip;
        const tampered = `${prefix}${altered.toString('base64url')}`;
        expect(() => FieldCipher.decrypt(key, 'content.text', tampered)).toThrow(
          FieldDecryptionError,
        );
        const cut = `${prefix}${packed.subarray(0, at % packed.length).toString('base64url')}`;
        expect(() => FieldCipher.decrypt(key, 'content.text', cut)).toThrow(FieldDecryptionError);
      }),
    );
  });

  it('refuses a key of another subject with other bytes, and values that are not ciphertexts', () => {
    const sealed = encrypt(keyOf('a'), 'content.text', 'hello');
    expect(() => FieldCipher.decrypt(keyOf('a'), 'content.text', sealed)).toThrow(
      FieldDecryptionError,
    );
    expect(FieldCipher.isEncrypted('hello')).toBe(false);
    expect(() => FieldCipher.decrypt(undefined, 'content.text', 'hello')).toThrow(
      /not an encrypted value/,
    );
  });

  it('seals and opens values of every size one after another, sharing nothing between them', () => {
    const key = keyOf('customer-1');
    const sizes = [0, 1, 2_000, 5_000, 70_000, 300_000, 10, 40_000, 3];
    const texts = sizes.map((n, i) => 'é🎉x'.repeat(Math.ceil(n / 4)) + String(i));
    const sealed = texts.map((text) => encrypt(key, 'content.text', text));
    // Opened in another order: what a value left behind would corrupt the next one.
    for (const i of [8, 4, 0, 5, 1, 7, 2, 6, 3])
      expect(FieldCipher.decrypt(key, 'content.text', sealed[i])).toBe(texts[i]);
    // Sealed again after the others: the same bytes.
    expect(encrypt(key, 'content.text', texts[2])).toBe(sealed[2]);
    const altered = `${sealed[5].slice(0, -4)}AAAA`;
    expect(() => FieldCipher.decrypt(key, 'content.text', altered)).toThrow(FieldDecryptionError);
    expect(FieldCipher.decrypt(key, 'content.text', sealed[3])).toBe(texts[3]);
  });
});

describe('FieldCipher, format 1', () => {
  it('seals to the bytes it sealed to when the log was wired: a redelivery stays a duplicate', () => {
    // Written by the first implementation (HKDF by hkdfSync, the HMAC fed in three parts).
    const key = keyOf(
      'c0ffee00-0000-5000-8000-000000000001',
      Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex'),
    );
    const field = 'event:6f1c2a8e-1234-5678-9abc-def012345678';
    const text = '["ann@example.com","Grüße — 你好 🎉"]';
    expect(FieldCipher.encrypt(key, field, text)).toBe(
      'enc:v1:uI7GwjP7C-10Cuhlw4gySKvFlwHrbPkEH0cvN7-J5VdWeWlzsd15RNTd7bVqdJkw9SvVEzHwpZ8taasXSq9APyRSLI19ycRXAA',
    );
  });

  it('is the construction ADR 0027 describes, for any subject, field and text', () => {
    // HKDF-SHA-256 IV key, IV = HMAC(aad \0 plaintext)[0..12], AES-256-GCM with the aad.
    const reference = (bytes: Buffer, subject: string, field: string, text: string) => {
      const additional = Buffer.from(`rapport:field:v1\0${subject}\0${field}`, 'utf8');
      const ivKey = Buffer.from(
        hkdfSync('sha256', bytes, Buffer.alloc(0), 'rapport:field-iv:v1', 32),
      );
      const iv = createHmac('sha256', ivKey)
        .update(Buffer.concat([additional, Buffer.of(0), Buffer.from(text, 'utf8')]))
        .digest()
        .subarray(0, 12);
      const cipher = createCipheriv('aes-256-gcm', bytes, iv).setAAD(additional);
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
      return `enc:v1:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
    };
    fc.assert(
      fc.property(subjects, fields, texts, (subject, field, text) => {
        const bytes = randomBytes(32);
        expect(FieldCipher.encrypt(keyOf(subject, bytes), field, text)).toBe(
          reference(bytes, subject, field, text),
        );
      }),
    );
  });
});

describe('FieldCipher, format 2', () => {
  it('seals to the bytes it sealed to when it was written: a redelivery stays a duplicate', () => {
    const key = keyOf(
      'c0ffee00-0000-5000-8000-000000000001',
      Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex'),
    );
    const field = 'event:6f1c2a8e-1234-5678-9abc-def012345678';
    const text = '["ann@example.com","Grüße — 你好 🎉"]';
    expect(FieldCipher.encrypt(key, field, text, 2)).toBe(
      'enc:v2:3JlS0kLqRQQ_1yNgrocOc3wwpeseQaGTwe-4EGCIAHs95rDLmrS4WWHM0d92fCdXnwMDSbY-e2eVPqt5ABnaS4pxylajmHM3PoPZmhi4Ci7X5Jtdcg',
    );
  });

  it('is the construction ADR 0050 describes, for any subject, field and text', () => {
    // Nonce key = BLAKE2b-256 of the label under the data key; nonce = BLAKE2b-192 of
    // (length of the aad, 4 bytes big-endian | aad | plaintext) under it; XChaCha20-Poly1305.
    const reference = (bytes: Buffer, subject: string, field: string, text: string) => {
      const additional = Buffer.from(`rapport:field:v2\0${subject}\0${field}`, 'utf8');
      const plaintext = Buffer.from(text, 'utf8');
      const nonceKey = Buffer.alloc(32);
      blake2b(nonceKey, Buffer.from('rapport:field-nonce:v2'), bytes);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(additional.length);
      const nonce = Buffer.alloc(24);
      blake2b(nonce, Buffer.concat([length, additional, plaintext]), nonceKey);
      const sealed = Buffer.alloc(plaintext.length + 16);
      xchacha20poly1305(sealed, plaintext, additional, null, nonce, bytes);
      return `enc:v2:${Buffer.concat([nonce, sealed]).toString('base64url')}`;
    };
    fc.assert(
      fc.property(subjects, fields, texts, (subject, field, text) => {
        const bytes = randomBytes(32);
        expect(FieldCipher.encrypt(keyOf(subject, bytes), field, text, 2)).toBe(
          reference(bytes, subject, field, text),
        );
      }),
    );
  });

  it('opens values of both formats in turn, each under its own construction', () => {
    const key = keyOf('customer-1');
    const texts = ['one', 'two — ü', '', 'x'.repeat(5_000)];
    const sealed = texts.map((text, i) =>
      FieldCipher.encrypt(key, 'content.text', text, i % 2 === 0 ? 1 : 2),
    );
    expect(sealed.map((value) => value.slice(0, 7))).toEqual([
      'enc:v1:',
      'enc:v2:',
      'enc:v1:',
      'enc:v2:',
    ]);
    for (const i of [3, 0, 2, 1])
      expect(FieldCipher.decrypt(key, 'content.text', sealed[i])).toBe(texts[i]);
    // A v2 body under the v1 prefix (or the other way round) does not open.
    const swapped = `enc:v1:${sealed[1].slice(7)}`;
    expect(() => FieldCipher.decrypt(key, 'content.text', swapped)).toThrow(FieldDecryptionError);
  });
});
