/** `kind:value` from what staff typed: an e-mail or a phone number needs no kind. */
export function identityQuery(kind: string, value: string): string {
  const v = value.trim();
  if (/^(email|phone|chat|social|card):/i.test(v)) return v;
  if (kind !== 'auto') return `${kind}:${v}`;
  if (v.includes('@')) return `email:${v}`;
  if (/^\+?[\d\s()./-]{6,}$/.test(v)) return `phone:${v}`;
  return `chat:${v}`;
}

/**
 * Whether what staff typed in the one search box is an identity rather than the start of a
 * name: a `kind:` prefix, an `@`, or any digit (phone and card numbers, chat visitor ids).
 */
export function looksLikeIdentity(value: string): boolean {
  const v = value.trim();
  return /^(email|phone|chat|social|card):/i.test(v) || v.includes('@') || /\d/.test(v);
}
