// The few functions of sodium-native (libsodium's bindings, which ship no typings) that the
// field cipher's format v2 calls. Every buffer is the caller's; nothing is allocated.
declare module 'sodium-native' {
  /** BLAKE2b of `input` into `output` (16–64 bytes), keyed by `key` (16–64 bytes) if given. */
  export function crypto_generichash(output: Buffer, input: Buffer, key?: Buffer): void;
  /** Writes ciphertext and tag into `c` (`m.length + 16` bytes); returns its length. */
  export function crypto_aead_xchacha20poly1305_ietf_encrypt(
    c: Buffer,
    m: Buffer,
    ad: Buffer | null,
    nsec: null,
    npub: Buffer,
    k: Buffer,
  ): number;
  /** Writes the plaintext into `m` (`c.length - 16` bytes); throws when `c` does not authenticate. */
  export function crypto_aead_xchacha20poly1305_ietf_decrypt(
    m: Buffer,
    nsec: null,
    c: Buffer,
    ad: Buffer | null,
    npub: Buffer,
    k: Buffer,
  ): number;
}
