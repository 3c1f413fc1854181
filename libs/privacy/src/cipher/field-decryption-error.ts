/** A field ciphertext was altered, truncated, or moved to another subject or field. */
export class FieldDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldDecryptionError';
  }
}
