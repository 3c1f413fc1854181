import { HmacSha256 } from '../cipher/hmac-sha256';
import { decodeSecret } from '../keys/key-wrapper';

const KIND = /^[a-z][a-z0-9_-]{0,31}$/;
const HASH_BYTES = 16;

/**
 * A keyed, deterministic pseudonym for an identity: HMAC-SHA-256 of the normalised identity
 * key (`kind:value`) under a secret pepper, truncated to 128 bits, written `kind:~<base64url>`.
 * Every process with the same pepper derives the same value; changing the pepper changes
 * every value, so rotating it is a migration of the log.
 */
export class BlindIndex {
  /** HMAC-SHA-256 under the pepper, without an OpenSSL object per identity. */
  private readonly hmac: HmacSha256;

  constructor(pepper: Buffer) {
    if (pepper.length < 32)
      throw new Error(`pepper must be at least 32 bytes, got ${pepper.length}`);
    this.hmac = new HmacSha256(Buffer.from(pepper));
  }

  /** From configuration: at least 32 bytes in standard or URL-safe base64. */
  static fromBase64(encoded: string): BlindIndex {
    return new BlindIndex(decodeSecret(encoded, 'blind index pepper'));
  }

  /**
   * The pseudonym of an identity key already normalised by the domain (`email:ada@example.org`).
   * The kind stays readable, so lookups per kind still work.
   */
  of(identityKey: string): string {
    const colon = identityKey.indexOf(':');
    const kind = identityKey.slice(0, colon);
    if (colon < 0 || !KIND.test(kind) || colon === identityKey.length - 1) {
      throw new Error('blind index: expected a normalised identity key "kind:value"');
    }
    const hash = this.hmac.latin1OfPadded(Buffer.from(HmacSha256.ROOM_TEXT + identityKey, 'utf8'));
    return `${kind}:~${Buffer.from(hash.slice(0, HASH_BYTES), 'latin1').toString('base64url')}`;
  }

  /**
   * The pseudonym alone (`~<base64url>`), for the domain's pseudonymous identities
   * (`IdentityHasher`): the value an identity carries in the log instead of its own.
   */
  readonly pseudonymOf = (identityKey: string): string => {
    const blind = this.of(identityKey);
    return blind.slice(blind.indexOf(':') + 1);
  };

  /** Whether a value is a blind-indexed identity key rather than a plain one. */
  static isBlind(value: string): boolean {
    return /^[a-z][a-z0-9_-]{0,31}:~[A-Za-z0-9_-]{22}$/.test(value);
  }
}
