/** What a personal field reads as once its subject's key is destroyed: a value, not an error. */
export interface Erased {
  readonly erased: true;
}

export const ERASED: Erased = Object.freeze({ erased: true as const });

export const isErased = (value: unknown): value is Erased =>
  value === ERASED ||
  (typeof value === 'object' &&
    value !== null &&
    (value as { erased?: unknown }).erased === true &&
    Object.keys(value).length === 1);

/** A personal text as a reader holds it: the text, or `ERASED`. */
export type PersonalText = string | Erased;

/** The text, or `fallback` when it was erased (or absent). */
export function textOrElse<T>(value: PersonalText | undefined, fallback: T): string | T {
  return typeof value === 'string' ? value : fallback;
}

/**
 * What a personal field holds in the log as stored: its value is sealed elsewhere in the event
 * (`libs/privacy`). A reader that subscribes without decryption sees this string.
 */
export const SEALED_FIELD = 'enc:sealed';
