/** A data subject's data key, unwrapped: 32 bytes for AES-256-GCM. Never logged, never stored as is. */
export interface DataKey {
  /** The data subject (a customer id) the key belongs to; bound into every ciphertext. */
  readonly subjectId: string;
  readonly bytes: Buffer;
}

export const DATA_KEY_BYTES = 32;

/** A subject id the key stores accept: what customer ids are, with room to spare. */
export function assertSubjectId(subjectId: string): void {
  if (typeof subjectId !== 'string' || subjectId.length === 0 || subjectId.length > 200) {
    throw new Error('subject id must be a non-empty string of at most 200 characters');
  }
}
