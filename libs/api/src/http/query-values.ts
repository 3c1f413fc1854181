import { ValidateBy, type ValidationOptions } from 'class-validator';

/** Digits only (no sign, exponent, fraction or blanks), and few enough to stay exact. */
const DIGITS = /^\d{1,15}$/;

/** A query parameter holding a whole number from `min` to `max`, written in digits. */
export function IsWholeNumber(min: number, max: number, options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isWholeNumber',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          DIGITS.test(value) &&
          Number(value) >= min &&
          Number(value) <= max,
        defaultMessage: () => `expected a whole number from ${min} to ${max}`,
      },
    },
    options,
  );
}

/** The number an `IsWholeNumber` parameter holds, or `fallback` when it is absent. */
export function wholeNumber(raw: string | undefined, fallback: number): number {
  return raw === undefined ? fallback : Number(raw);
}
