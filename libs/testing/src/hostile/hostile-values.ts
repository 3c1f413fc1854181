import fc from 'fast-check';

/** Times RFC 3339 allows or almost allows, and that `Date` reads differently or not at all. */
export const ODD_TIMES = [
  '2025-12-31T23:59:60Z',
  '2025-06-30T23:59:60.5+01:00',
  '2025-02-29T10:00:00Z',
  '2025-04-31T10:00:00Z',
  '2025-01-01T24:00:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999-23:59',
  '+275760-09-13T00:00:00Z',
  '2025-01-01T10:00:00',
  '2025-01-01',
  'Invalid Date',
  '',
];

/** Strings that break naive code: control characters, lone surrogates, direction overrides … */
export const ODD_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202eevil',
  '\ufeff',
  'e\u0301\u0301\u0301',
  '😀'.repeat(40),
  ' ',
  '\n\t\r',
  '__proto__',
  'constructor',
  '{"a":1}',
  '%s%n%x',
  '../../etc/passwd',
  'email:ann@example.com',
];

/**
 * A value where a field of some other type belongs: missing (`undefined`: the field is
 * deleted), `null`, arrays for objects, objects for strings, numbers out of every range,
 * huge and odd strings, odd times, deep junk. Sizes stay under the ingestor's 1 MiB
 * message limit so that a variant tests validation, not the size guard.
 */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    undefined,
    null,
    [],
    [[]],
    [null],
    [{}],
    {},
    { kind: [] },
    true,
    false,
    0,
    -1,
    1.5,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    '',
    'x'.repeat(70_000),
    '1'.repeat(300),
  ),
  fc.constantFrom(...ODD_TIMES),
  fc.constantFrom(...ODD_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 12 }),
);
