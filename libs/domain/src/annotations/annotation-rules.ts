import { type FieldError, invalid, valid, type Validated } from '../validation/field-error';

/** The longest note, in UTF-16 code units (a page of text; a note is not a document). */
export const MAX_NOTE_LENGTH = 4000;
/** The longest label. */
export const MAX_LABEL_LENGTH = 32;
/** How many labels one customer may carry. */
export const MAX_LABELS_PER_CUSTOMER = 20;
/** A normalised label: lower-case letters and digits, inner `-`, `_`, `.` or `:` (e.g. `vip`, `b2b:gold`). */
export const LABEL_PATTERN = /^[a-z0-9](?:[a-z0-9._:-]*[a-z0-9])?$/;

/** Control characters other than tab and line breaks, and lone surrogates. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_NOTE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) return false;
  }
  return true;
}

/** A note's text as stored (line endings `\n`, trimmed), or why it is refused. */
export function validateNoteText(raw: unknown, path = 'text'): Validated<string> {
  if (typeof raw !== 'string') return invalid({ path, message: 'must be a string' });
  const text = raw.replace(/\r\n?/g, '\n').trim();
  const errors: FieldError[] = [];
  if (text.length === 0) errors.push({ path, message: 'must not be empty' });
  if (text.length > MAX_NOTE_LENGTH)
    errors.push({ path, message: `must be at most ${MAX_NOTE_LENGTH} characters` });
  if (FORBIDDEN_IN_NOTE.test(text))
    errors.push({ path, message: 'must not contain control characters' });
  if (!isWellFormed(text)) errors.push({ path, message: 'must be well-formed Unicode' });
  return errors.length ? invalid(...errors) : valid(text);
}

/**
 * A label as stored: trimmed and lower-cased, then it must match `LABEL_PATTERN` and be at
 * most `MAX_LABEL_LENGTH` long (so `VIP ` and `vip` are one label); or why it is refused.
 */
export function normalizeLabel(raw: unknown, path = 'label'): Validated<string> {
  if (typeof raw !== 'string') return invalid({ path, message: 'must be a string' });
  const label = raw.trim().toLowerCase();
  if (label.length === 0) return invalid({ path, message: 'must not be empty' });
  if (label.length > MAX_LABEL_LENGTH)
    return invalid({ path, message: `must be at most ${MAX_LABEL_LENGTH} characters` });
  if (!LABEL_PATTERN.test(label))
    return invalid({
      path,
      message:
        'may hold only letters a–z, digits and inner "-", "_", ".", ":" (e.g. "vip", "b2b:gold")',
    });
  return valid(label);
}

/** What labelling a customer who carries `current` does: nothing (already there), a change, or a refusal. */
export type LabelDecision =
  | { readonly outcome: 'unchanged' }
  | { readonly outcome: 'changed' }
  | { readonly outcome: 'refused'; readonly reason: 'too-many-labels'; readonly limit: number };

export function decideLabel(current: readonly string[], label: string): LabelDecision {
  if (current.includes(label)) return { outcome: 'unchanged' };
  if (current.length >= MAX_LABELS_PER_CUSTOMER)
    return { outcome: 'refused', reason: 'too-many-labels', limit: MAX_LABELS_PER_CUSTOMER };
  return { outcome: 'changed' };
}

export function decideUnlabel(current: readonly string[], label: string): LabelDecision {
  return current.includes(label) ? { outcome: 'changed' } : { outcome: 'unchanged' };
}
