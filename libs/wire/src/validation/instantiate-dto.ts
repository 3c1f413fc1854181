import { type ClassConstructor, TransformationType, plainToInstance } from 'class-transformer';
import { getMetadataStorage } from 'class-validator';
// The registry behind class-transformer's `@Type` decorator (public in its typings).
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';

/** What a property of a class holds: a nested class (from `@Type`), or anything else. */
type NestedClass = ClassConstructor<object> | null;

const nestedClasses = new Map<ClassConstructor<object>, Map<string, NestedClass> | 'general'>();

/**
 * `plainToInstance` for validation: an instance of `cls` holding the plain object's own
 * fields, with every field that `@Type` declares a nested class (or an array of them)
 * turned into instances too, so class-validator sees the classes' rules at every level.
 *
 * Unlike `plainToInstance` it copies nothing else: nested plain values are shared, never
 * mutated (docs/decisions/0023-validation-and-ids-on-the-ingest-path.md). Classes whose
 * `@Type` uses options (discriminators and the like) go through `plainToInstance`.
 * A `__proto__` key is kept as an ordinary field, so whitelisting refuses it.
 */
export function instantiateDto<T extends object>(cls: ClassConstructor<T>, plain: object): T {
  const types = nestedClassesOf(cls as ClassConstructor<object>);
  if (types === 'general') return plainToInstance(cls, plain, { enableImplicitConversion: false });
  const instance = new cls() as Record<string, unknown>;
  for (const key of Object.keys(plain)) {
    const value = (plain as Record<string, unknown>)[key];
    const nested = types.get(key) ?? null;
    const field =
      nested === null || typeof value !== 'object' || value === null
        ? value
        : Array.isArray(value)
          ? value.map((item: unknown) =>
              typeof item === 'object' && item !== null && !Array.isArray(item)
                ? instantiateDto(nested, item)
                : item,
            )
          : instantiateDto(nested, value);
    if (key === '__proto__')
      Object.defineProperty(instance, key, { value: field, enumerable: true, writable: true });
    else instance[key] = field;
  }
  return instance as T;
}

function nestedClassesOf(cls: ClassConstructor<object>): Map<string, NestedClass> | 'general' {
  let types = nestedClasses.get(cls);
  if (types) return types;
  types = new Map<string, NestedClass>();
  // The fields worth looking at are the ones class-validator has rules for.
  const fields = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(cls, '', false, false)
      .map((m) => m.propertyName),
  );
  const storage = defaultMetadataStorage;
  let general = storage.getStrategy(cls) !== 'none';
  for (const field of fields) {
    if (
      storage.findTransformMetadatas(cls, field, TransformationType.PLAIN_TO_CLASS).length > 0 ||
      storage.findExposeMetadata(cls, field) ||
      storage.findExcludeMetadata(cls, field)
    )
      general = true;
    const type = storage.findTypeMetadata(cls, field);
    if (!type) continue;
    if (type.options && Object.keys(type.options).length > 0) general = true;
    types.set(field, type.typeFunction() as ClassConstructor<object>);
  }
  const result = general ? 'general' : types;
  nestedClasses.set(cls, result);
  return result;
}
