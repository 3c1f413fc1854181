import { registerDecorator, type ValidationOptions } from 'class-validator';
import { PayloadLimits } from '../events/payload-limits';

/**
 * The name a channel saw a person by: an e-mail's display name, a chat visitor's name, a
 * social profile's name. Personal data (sealed in the log, erased with the person). A
 * customer shows the most recent name any of their identities was seen with, and names are
 * indexed for prefix search, folded for case and diacritics (`nameSearchTerms`).
 */

/** Control characters, line and paragraph separators, and bidirectional overrides: never in a name. */
const FORBIDDEN_IN_NAME = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;
/** A name says something: at least one letter or digit. */
const MEANINGFUL = /[\p{L}\p{N}]/u;

/** Why a name is refused, or null when it is a valid one. */
export function nameProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0 || value.length > PayloadLimits.nameLength)
    return `must be 1 to ${PayloadLimits.nameLength} characters long`;
  if (value.isWellFormed && !value.isWellFormed()) return 'must be well-formed Unicode';
  if (FORBIDDEN_IN_NAME.test(value))
    return 'must not contain control characters, line breaks or direction overrides';
  if (!MEANINGFUL.test(value)) return 'must contain a letter or a digit';
  return null;
}

/** A person's name as a channel saw it (`nameProblem` says what is refused). */
export function IsPersonName(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isPersonName',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: (args) => `${args.property} ${nameProblem(args.value) ?? 'is not a name'}`,
        ...options,
      },
      validator: { validate: (value: unknown) => nameProblem(value) === null },
    });
}

/** The separator between a search term and what it points at: never in a term (controls are refused). */
export const NAME_TERM_SEPARATOR = '\u0000';
/** At most this many words of a name start a search term (the first ones). */
export const MAX_NAME_TERMS = 6;
/** A search prefix longer than this is cut (no term is longer than a name, times case folding). */
export const MAX_NAME_PREFIX = PayloadLimits.nameLength;

/**
 * The name folded for search: compatibility-decomposed, case-folded (upper, then lower case,
 * so `ß` matches `SS` and a final sigma a sigma), diacritics removed, whitespace runs one
 * space, trimmed; left decomposed, so a prefix of a name folds to a prefix of the folded name. Idempotent; `Maria Rossi`, `MARÍA  rossi` and `maria rossi` are equal.
 */
export function normalizeName(value: string): string {
  // Printable ASCII has nothing to decompose, no marks and no case that folds back: lower
  // case and spaces are its whole fold (what the Unicode path gives it, at a tenth of the
  // cost: a rebuild folds a name per touchpoint).
  if (PRINTABLE_ASCII.test(value)) return value.toLowerCase().replace(/\s+/g, ' ').trim();
  // Lower case first: `ẞ` lowers to `ß`, which uppers to `SS` (a fold that began with upper
  // case gave `ß`, which a second fold made `ss`). One fold holds still for every code point;
  // a few more, bounded, for whatever a combination could still change.
  let folded = foldOnce(value);
  for (let round = 0; round < 3; round++) {
    const again = foldOnce(folded);
    if (again === folded) break;
    folded = again;
  }
  return folded;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function foldOnce(value: string): string {
  return value
    .normalize('NFKD')
    .toLowerCase()
    .toUpperCase()
    .toLowerCase()
    .replace(/ς/gu, 'σ') // lower case depends on context for sigma alone: at a word's end
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * The search terms a name is indexed under: the folded name from each of its first words on
 * (`maria de rossi` → `maria de rossi`, `de rossi`, `rossi`), so a prefix of the first name
 * or of a later one finds it. Distinct, longest first.
 */
export function nameSearchTerms(name: string): string[] {
  const folded = normalizeName(name);
  if (folded === '') return [];
  const terms = [folded];
  for (let i = folded.indexOf(' '); i >= 0 && terms.length < MAX_NAME_TERMS;) {
    const term = folded.slice(i + 1);
    if (!terms.includes(term)) terms.push(term);
    i = folded.indexOf(' ', i + 1);
  }
  return terms;
}

/** The folded prefix a search looks for; empty when it holds nothing to search by. */
export function nameSearchPrefix(prefix: string): string {
  return normalizeName(prefix.slice(0, MAX_NAME_PREFIX));
}

/** Whether a name is found by a search for `prefix` (what the read models' indexes answer). */
export function nameMatchesPrefix(name: string, prefix: string): boolean {
  const wanted = nameSearchPrefix(prefix);
  return wanted !== '' && nameSearchTerms(name).some((term) => term.startsWith(wanted));
}

/** A name as a read model keeps it: the latest one an identity was seen with. */
export interface SeenName {
  readonly name: string;
  /** When the touchpoint that carried it happened (ISO 8601). */
  readonly occurredAt: string;
  /** Its log position: orders names of the same moment. */
  readonly position: number;
}

/** Whether `candidate` is more recent than `current` (by occurredAt, then log position). */
export function isNewerName(candidate: SeenName, current: SeenName | undefined): boolean {
  if (current === undefined) return true;
  const a = Date.parse(candidate.occurredAt);
  const b = Date.parse(current.occurredAt);
  return a !== b ? a > b : candidate.position > current.position;
}

/** The most recent of several names (undefined when there is none). */
export function latestName(names: Iterable<SeenName | undefined>): SeenName | undefined {
  let latest: SeenName | undefined;
  for (const name of names) if (name && isNewerName(name, latest)) latest = name;
  return latest;
}
