import { registerDecorator, type ValidationOptions } from 'class-validator';

export interface FlatRecordLimits {
  readonly maxKeys: number;
  readonly maxKeyLength: number;
  readonly maxValueLength: number;
}

/** A flat map of string keys to strings, numbers or booleans, bounded in size. */
export function IsFlatRecord(limits: FlatRecordLimits, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isFlatRecord',
      target: target.constructor,
      propertyName,
      options: {
        message: `$property must be an object of at most ${limits.maxKeys} keys (≤ ${limits.maxKeyLength} chars) with string (≤ ${limits.maxValueLength} chars), number or boolean values`,
        ...options,
      },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          if (entries.length > limits.maxKeys) return false;
          return entries.every(
            ([key, v]) =>
              key.length > 0 &&
              key.length <= limits.maxKeyLength &&
              ((typeof v === 'string' && v.length <= limits.maxValueLength) ||
                (typeof v === 'number' && Number.isFinite(v)) ||
                typeof v === 'boolean'),
          );
        },
      },
    });
}
