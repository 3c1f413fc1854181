import { ValidateIf, type ValidationOptions } from 'class-validator';

/**
 * A body field that may be left out, but not sent as `null`: unlike `@IsOptional()`, which
 * skips the field's rules for `null` too (and so hands `null` to code that expects a string
 * or a number), only an absent field skips them.
 */
export function OptionalField(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined, options);
}
