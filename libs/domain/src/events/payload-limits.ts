/** Size bounds for inbound payloads; a field past them is refused, never truncated. */
export const PayloadLimits = {
  idLength: 256,
  sourceLength: 512,
  identityValueLength: 320,
  /** Further identities one touchpoint may carry besides its primary `identity`. */
  identities: 10,
  subjectLength: 998,
  textLength: 64 * 1024,
  attachments: 50,
  attachmentNameLength: 255,
  metadataKeys: 32,
  metadataKeyLength: 64,
  metadataValueLength: 1024,
  commentLength: 4000,
  /** A person's name as a channel saw it. */
  nameLength: 200,
} as const;
