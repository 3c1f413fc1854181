import { type ClassConstructor } from 'class-transformer';
import { instantiateDto } from './instantiate-dto';
import { validateSync, type ValidationError } from 'class-validator';
import { type FieldError, type Validated, invalid, valid } from '@rapport/domain';
import { isValidFast } from './fast-validity';
import { assertNestedFieldsGuarded } from './nested-fields-guard';
import { installValidationMetadataCache } from './validation-metadata-cache';

installValidationMetadataCache();

/**
 * Validates a plain object against a class-validator class: whitelist only, unknown
 * fields refused, nested objects validated, every failure reported with its path.
 * A class whose nested fields are not declared with `NestedObject` / `NestedObjects` is a
 * programming error, thrown on its first use.
 */
export function validateDto<T extends object>(
  cls: ClassConstructor<T>,
  plain: unknown,
  pathPrefix: string,
): Validated<T> {
  assertNestedFieldsGuarded(cls);
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    return invalid({ path: pathPrefix || '(root)', message: 'must be a JSON object' });
  }
  const illFormed = illFormedStrings(plain, pathPrefix);
  if (illFormed.length > 0) return invalid(...illFormed);
  const instance = instantiateDto(cls, plain);
  // Most inputs are valid: decided without class-validator's error tree; the others (and
  // whatever the fast check is unsure of) get class-validator's verdict and messages.
  if (isValidFast(instance)) return valid(instance);
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) return { ok: false, errors: flattenValidationErrors(errors, pathPrefix) };
  return valid(instance);
}

export function flattenValidationErrors(errors: ValidationError[], prefix: string): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    // An error about the object itself (an unknown value) has no property.
    const path =
      error.property === undefined
        ? prefix || '(root)'
        : prefix
          ? `${prefix}.${error.property}`
          : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      out.push({ path, message });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, path));
  }
  return out;
}

/**
 * Fields named `constructor`, and strings with lone surrogates (JSON can carry them as `\ud800`): they have no UTF-8
 * form, and validators crash on them (validator's isEmail throws a URIError). Refused
 * at any depth before any rule sees them.
 */
function illFormedStrings(value: unknown, path: string, out: FieldError[] = []): FieldError[] {
  if (typeof value === 'string') {
    if (!value.isWellFormed()) out.push(illFormedValue(path));
    return out;
  }
  if (typeof value !== 'object' || value === null) return out;
  // Runs on every inbound event: no entry pairs, and a field's path only where it is needed.
  const within = value as Record<string, unknown>;
  for (const key in within) {
    if (!Object.hasOwn(within, key)) continue;
    const item = within[key];
    if (!key.isWellFormed())
      out.push({ path: path || '(root)', message: 'field names must be well-formed Unicode' });
    // class-validator finds an object's rules through `constructor`: an own field of
    // that name (JSON can carry one) would make it throw.
    else if (key === 'constructor')
      out.push({ path: pathOf(path, key), message: `property ${key} should not exist` });
    else if (typeof item === 'string') {
      if (!item.isWellFormed()) out.push(illFormedValue(pathOf(path, key)));
    } else if (typeof item === 'object' && item !== null)
      illFormedStrings(item, pathOf(path, key), out);
    if (out.length >= 10) break;
  }
  return out;
}

const pathOf = (path: string, key: string) => (path ? `${path}.${key}` : key);

const illFormedValue = (path: string): FieldError => ({
  path: path || '(root)',
  message: 'must be well-formed Unicode (no lone surrogates)',
});
