/**
 * Code-unit order, independent of locale and ICU version: every replica (and every
 * replay) sorts alike, which `localeCompare` does not promise.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
