import { type ClassConstructor } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage } from 'class-validator';

const checked = new WeakSet<ClassConstructor<object>>();

/**
 * Throws when `cls` (or a class nested in it) has a `@ValidateNested` field that is not
 * declared with `NestedObject` / `NestedObjects`. class-validator skips a missing nested
 * value, walks an array in place of an object and lets `null` through `@IsOptional`, so
 * such a field lets malformed input reach code that trusts the DTO. Checked once per
 * class, on its first validation: a DTO without them fails every test that uses it.
 */
export function assertNestedFieldsGuarded(cls: ClassConstructor<object>): void {
  if (checked.has(cls)) return;
  checked.add(cls);
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(cls, '', false, false);
  const nested = new Set(
    metadatas.filter((m) => m.type === 'nestedValidation').map((m) => m.propertyName),
  );
  for (const property of nested) {
    const rules = metadatas.filter((m) => m.propertyName === property);
    const each = rules.some((m) => m.type === 'nestedValidation' && m.each === true);
    const has = (name: string, forEach: boolean) =>
      rules.some((m) => m.name === name && (m.each === true) === forEach);
    const guarded =
      !has('isOptional', false) &&
      has('isObject', each) &&
      (!each || has('isArray', false)) &&
      (has('isDefined', false) || rules.some((m) => m.type === 'conditionalValidation'));
    if (!guarded) {
      checked.delete(cls);
      throw new Error(
        `${cls.name}.${property} is validated as nested without NestedObject/NestedObjects: ` +
          'a missing value, an array or null would pass unchecked',
      );
    }
    const type = defaultMetadataStorage.findTypeMetadata(cls, property);
    if (type) assertNestedFieldsGuarded(type.typeFunction() as ClassConstructor<object>);
  }
}
