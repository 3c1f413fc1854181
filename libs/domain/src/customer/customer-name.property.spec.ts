import fc from 'fast-check';
import {
  isNewerName,
  latestName,
  nameMatchesPrefix,
  nameProblem,
  nameSearchPrefix,
  nameSearchTerms,
  normalizeName,
  type SeenName,
} from './customer-name';

/** Names as people have them: Latin with diacritics, Greek, Cyrillic, CJK, spaces, marks. */
const nameChar = fc.oneof(
  fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'),
  fc.constantFrom(...'áàâäãåæçéèêëíìîïñóòôöõøœßúùûüýÿłŁđĐşŞğĞİıŠšŽžĆćČčÆØÅ'),
  fc.constantFrom(...'ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩαβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώ'),
  fc.constantFrom(...'АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя'),
  fc.constantFrom(...'王李张刘陈杨黄赵周吴徐孙김이박최정강조윤장임'),
  fc.constantFrom(' ', '  ', '-', "'", '.', '\u0301', '\u0308', '\u00A0', 'ﬁ', 'Ⅸ'),
);
const personName = fc
  .array(nameChar, { minLength: 1, maxLength: 40 })
  .map((chars) => chars.join(''))
  .filter((name) => nameProblem(name) === null);
/** Any string of code points (surrogate pairs whole). */
const anyText = fc.string({ unit: 'grapheme', maxLength: 40 });

/** Prefixes at code point boundaries. */
function codePointPrefixes(text: string): string[] {
  const points = [...text];
  return points.map((_, i) => points.slice(0, i + 1).join(''));
}

describe('names: folding for search (property)', () => {
  it('folds idempotently', () => {
    fc.assert(
      fc.property(fc.oneof(personName, anyText), (name) => {
        const once = normalizeName(name);
        expect(normalizeName(once)).toBe(once);
      }),
      { numRuns: 2000, examples: [['ẞ'], ['ß'], ['ς'], ['ǅ']] },
    );
  });

  it('folds printable ASCII (its shortcut) as the Unicode steps do', () => {
    // The documented steps, once (ASCII holds still after one fold).
    const unicodeFold = (text: string) =>
      text
        .normalize('NFKD')
        .toLowerCase()
        .toUpperCase()
        .toLowerCase()
        .normalize('NFKD')
        .replace(/\p{M}+/gu, '')
        .replace(/\s+/gu, ' ')
        .trim();
    const ascii = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 40,
    });
    fc.assert(
      fc.property(ascii, (name) => expect(normalizeName(name)).toBe(unicodeFold(name))),
      { numRuns: 2000, examples: [['  Ann   LEE '], ["O'Brien-Smith"], ['']] },
    );
    // Anything else takes the Unicode path: a tab, a non-breaking space, an accent.
    expect(normalizeName('Ann\tLee\u00A0Å')).toBe('ann lee a');
  });

  it('ignores case: upper, lower and mixed case fold alike', () => {
    fc.assert(
      fc.property(personName, (name) => {
        const folded = normalizeName(name);
        expect(normalizeName(name.toUpperCase())).toBe(folded);
        expect(normalizeName(name.toLowerCase())).toBe(folded);
      }),
      { numRuns: 2000 },
    );
  });

  it('ignores diacritics: a name without its accents folds alike', () => {
    fc.assert(
      fc.property(personName, (name) => {
        const bare = name.normalize('NFD').replace(/\p{M}/gu, '');
        expect(normalizeName(bare)).toBe(normalizeName(name));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a name by any prefix of it, of any case and accents', () => {
    fc.assert(
      fc.property(personName, fc.boolean(), (name, upper) => {
        for (const prefix of codePointPrefixes(name)) {
          if (nameSearchPrefix(prefix) === '') continue;
          const typed = upper
            ? prefix.toUpperCase()
            : prefix.normalize('NFD').replace(/\p{M}/gu, '');
          if (nameSearchPrefix(typed) === '') continue;
          expect(nameMatchesPrefix(name, typed)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('finds a name by a prefix of a later word (a surname)', () => {
    fc.assert(
      fc.property(
        fc.array(
          personName.filter((w) => !/\s/u.test(w)),
          { minLength: 2, maxLength: 5 },
        ),
        fc.nat(),
        (words, pick) => {
          const name = words.join(' ');
          const word = words[pick % words.length];
          for (const prefix of codePointPrefixes(word))
            if (nameSearchPrefix(prefix) !== '') expect(nameMatchesPrefix(name, prefix)).toBe(true);
        },
      ),
    );
  });

  it('never finds a name by a prefix its folded terms do not start with', () => {
    fc.assert(
      fc.property(personName, personName, (name, prefix) => {
        const wanted = nameSearchPrefix(prefix);
        const expected = wanted !== '' && nameSearchTerms(name).some((t) => t.startsWith(wanted));
        expect(nameMatchesPrefix(name, prefix)).toBe(expected);
        if (expected) expect(normalizeName(name)).toContain(wanted);
      }),
    );
  });

  it('keeps the most recent name whatever order they arrive in', () => {
    const seen = fc.record({
      name: personName,
      occurredAt: fc
        .integer({ min: 0, max: 10_000 })
        .map((s) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString()),
      position: fc.integer({ min: 1, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(seen, { minLength: 1, maxLength: 20, selector: (s) => s.position }),
        (names: SeenName[]) => {
          const sorted = [...names].sort(
            (a, b) =>
              Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || a.position - b.position,
          );
          const newest = sorted[sorted.length - 1];
          expect(latestName(names)).toBe(newest);
          expect(latestName([...names].reverse())).toBe(newest);
          for (const other of names)
            if (other !== newest) expect(isNewerName(other, newest)).toBe(false);
        },
      ),
    );
  });
});

describe('names: what is refused', () => {
  it.each([
    ['', 'must be 1 to'],
    ['x'.repeat(201), 'must be 1 to'],
    ['Ann\nSmith', 'control'],
    ['Ann\u202ESmith', 'control'],
    ['   ', 'letter or a digit'],
    ['--', 'letter or a digit'],
    ['Ann\uD800', 'well-formed'],
    [42, 'string'],
  ])('%j: %s', (value, problem) => {
    expect(nameProblem(value)).toContain(problem);
  });

  it.each(['Maria Rossi', 'José Ñúñez', 'Ólafur Arnalds', '王小明', "D'Arcy O'Brien", 'X Æ A-12'])(
    'accepts %s',
    (name) => expect(nameProblem(name)).toBeNull(),
  );

  it('indexes each word start of a long name, at most six', () => {
    expect(nameSearchTerms('Maria  de ROSSI')).toEqual(['maria de rossi', 'de rossi', 'rossi']);
    expect(nameSearchTerms('a b c d e f g h')).toHaveLength(6);
  });
});
