import { type ClassConstructor, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsObject, ValidateNested } from 'class-validator';
import { OptionalField } from './optional-field';

export interface NestedOptions {
  /** The field may be left out (`undefined`); `null` is refused all the same. */
  readonly optional?: boolean;
}

/**
 * A nested object field, validated against `cls`. `@ValidateNested` alone skips a
 * missing value and walks an array as if it were the object (so `identity: []` passes
 * with no error and `identity` is then not an object at all); this requires a plain
 * object unless the field is optional. Use it for every nested object of a DTO:
 * `validate-dto.spec.ts` fails on a `@ValidateNested` that comes without it.
 */
export function NestedObject(cls: () => ClassConstructor<object>, options: NestedOptions = {}) {
  return (target: object, property: string) => {
    requiredOrLeftOut(options, target, property);
    IsObject({ message: '$property must be an object' })(target, property);
    ValidateNested()(target, property);
    Type(cls)(target, property);
  };
}

export interface NestedArrayOptions extends NestedOptions {
  readonly maxSize: number;
}

/** A list of nested objects, each validated against `cls`; arrays or `null`s inside are refused. */
export function NestedObjects(cls: () => ClassConstructor<object>, options: NestedArrayOptions) {
  return (target: object, property: string) => {
    requiredOrLeftOut(options, target, property);
    IsArray({ message: '$property must be an array' })(target, property);
    ArrayMaxSize(options.maxSize)(target, property);
    IsObject({ each: true, message: 'each item of $property must be an object' })(target, property);
    ValidateNested({ each: true })(target, property);
    Type(cls)(target, property);
  };
}

/**
 * Not `@IsOptional`: that one lets `null` through as well, and code downstream reads an
 * optional nested value as either absent or an object.
 */
function requiredOrLeftOut(options: NestedOptions, target: object, property: string): void {
  if (options.optional) OptionalField()(target, property);
  else IsDefined({ message: '$property is required' })(target, property);
}
