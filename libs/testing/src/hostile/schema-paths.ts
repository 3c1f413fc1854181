import { type ClassConstructor } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage } from 'class-validator';

/**
 * Every field path a class-validator class declares, nested classes included (a list of
 * nested objects contributes its first item, `identities.0.kind`): the places a hostile
 * variant of a valid object can be broken. Read from the DTOs' own metadata, so a field
 * added to a schema is fuzzed without touching a test.
 */
export function schemaPaths(cls: ClassConstructor<object>, prefix: string[] = []): string[][] {
  const fields = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(cls, '', false, false)
      .map((m) => m.propertyName),
  );
  const paths: string[][] = [];
  for (const field of fields) {
    const path = [...prefix, field];
    paths.push(path);
    const type = defaultMetadataStorage.findTypeMetadata(cls, field);
    if (!type) continue;
    const nested = type.typeFunction() as ClassConstructor<object>;
    const isList = getMetadataStorage()
      .getTargetValidationMetadatas(cls, '', false, false)
      .some((m) => m.propertyName === field && m.type === 'nestedValidation' && m.each);
    paths.push(...schemaPaths(nested, isList ? [...path, '0'] : path));
  }
  return paths;
}
