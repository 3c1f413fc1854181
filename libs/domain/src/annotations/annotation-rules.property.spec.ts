import fc from 'fast-check';
import { mapPersonalFields } from '../privacy/personal-fields';
import { CUSTOMER_NOTE_ADDED_V1 } from './annotation-events';
import {
  decideLabel,
  decideUnlabel,
  LABEL_PATTERN,
  MAX_LABEL_LENGTH,
  MAX_LABELS_PER_CUSTOMER,
  MAX_NOTE_LENGTH,
  normalizeLabel,
  validateNoteText,
} from './annotation-rules';

const anyValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', 'VIP', 'vip ', 'b2b:gold', '-x', 'x-', 'a b', 'ä', '__proto__'),
  fc.anything(),
);

describe('labels (properties)', () => {
  it('a label is accepted exactly when its trimmed lower case fits the pattern and length', () => {
    fc.assert(
      fc.property(anyValue, (raw) => {
        const result = normalizeLabel(raw);
        if (typeof raw !== 'string') return !result.ok;
        const expected = raw.trim().toLowerCase();
        const fits = expected.length <= MAX_LABEL_LENGTH && LABEL_PATTERN.test(expected);
        if (!fits) return !result.ok && result.errors.every((e) => e.path === 'label');
        return result.ok && result.value === expected;
      }),
      { numRuns: 2000 },
    );
  });

  it('normalising is idempotent and never yields whitespace, upper case or markup', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (raw) => {
        const once = normalizeLabel(raw);
        if (!once.ok) return true;
        const twice = normalizeLabel(once.value);
        return (
          twice.ok &&
          twice.value === once.value &&
          !/[\sA-Z<>"'&/\\]/.test(once.value) &&
          once.value.length >= 1
        );
      }),
    );
  });

  it('a customer never carries more than the limit, nor a label twice', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123')), {
          maxLength: 200,
        }),
        (ops) => {
          let labels: string[] = [];
          for (const [add, label] of ops) {
            const decision = add ? decideLabel(labels, label) : decideUnlabel(labels, label);
            if (decision.outcome !== 'changed') continue;
            labels = add ? [...labels, label] : labels.filter((l) => l !== label);
          }
          return labels.length <= MAX_LABELS_PER_CUSTOMER && new Set(labels).size === labels.length;
        },
      ),
    );
  });
});

describe('note text (properties)', () => {
  it('accepts exactly the non-empty, bounded, well-formed texts without control characters', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.string({
            unit: 'grapheme',
            minLength: MAX_NOTE_LENGTH - 5,
            maxLength: MAX_NOTE_LENGTH + 5,
          }),
          fc.anything(),
        ),
        (raw) => {
          const result = validateNoteText(raw);
          if (typeof raw !== 'string') return !result.ok;
          if (!result.ok)
            return result.errors.length > 0 && result.errors.every((e) => e.path === 'text');
          const text = result.value;
          return (
            text.length > 0 &&
            text.length <= MAX_NOTE_LENGTH &&
            text === text.trim() &&
            !text.includes('\r') &&
            // eslint-disable-next-line no-control-regex
            !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) &&
            text.isWellFormed()
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('keeps the words staff typed (only line endings and the ends are normalised)', () => {
    expect(validateNoteText('  Called back,\r\nwill ship Monday.  ')).toEqual({
      ok: true,
      value: 'Called back,\nwill ship Monday.',
    });
    expect(validateNoteText('\u0000')).toMatchObject({ ok: false });
    expect(validateNoteText('\ud800')).toMatchObject({ ok: false });
    expect(validateNoteText('x'.repeat(MAX_NOTE_LENGTH + 1))).toMatchObject({ ok: false });
  });

  it("a note's text is personal data of the customer it is on", () => {
    const seen: [string, string][] = [];
    const mapped = mapPersonalFields(
      {
        type: CUSTOMER_NOTE_ADDED_V1,
        data: { noteId: 'n1', customerId: 'c1', text: 'secret', staffId: 's', at: 'now' },
        metadata: {},
      },
      (subject, field, value) => {
        seen.push([subject, field]);
        return `sealed:${value}`;
      },
    );
    expect(seen).toEqual([['c1', 'text']]);
    expect((mapped.data as { text: string }).text).toBe('sealed:secret');
  });
});
