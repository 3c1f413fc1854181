import { getMetadataStorage, type ValidationArguments, ValidationTypes } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type Metadata = ReturnType<Storage['getTargetValidationMetadatas']>[number];

/** One rule of a property: a constraint's own `validate`, with the decorator's arguments. */
interface Rule {
  readonly validate: (value: unknown, args: ValidationArguments) => unknown;
  readonly each: boolean;
  readonly constraints: unknown[];
}

/** A property's rules, split as class-validator's `ValidationExecutor` runs them. */
interface PropertyRules {
  readonly name: string;
  readonly conditions: ((object: object, value: unknown) => boolean)[];
  readonly defined: Rule[];
  readonly custom: Rule[];
  readonly nested: boolean;
}

/** A class's rules; `null` when it has a kind of rule this file does not run (promises). */
type ClassRules = { readonly properties: PropertyRules[]; readonly known: Set<string> } | null;

const compiled = new WeakMap<readonly Metadata[], ClassRules>();

/**
 * Whether class-validator's `validateSync` — with the options `validateDto` gives it
 * (whitelist, forbidNonWhitelisted, forbidUnknownValues) — would find no error in
 * `instance`, decided without building its error tree: the same constraint objects' own
 * `validate` functions, in the order and under the conditions `ValidationExecutor` (0.14)
 * applies them. `true` only when sure; `false` when the instance is invalid **or** when
 * anything is not of the kinds handled here (a promise, an unknown rule): the caller then
 * runs `validateSync` for the verdict and its messages. So a wrong `false` costs time and
 * a wrong `true` would let bad input in: `fast-validity.property.spec.ts` holds it to
 * `validateSync` on generated inputs.
 * Why by hand: class-validator spends most of its time on the error objects it builds for
 * every property, valid or not (docs/decisions/0023-validation-and-ids-on-the-ingest-path.md).
 */
export function isValidFast(instance: object, storage: Storage = getMetadataStorage()): boolean {
  return objectIsValid(instance, storage);
}

function objectIsValid(object: object, storage: Storage): boolean {
  const rules = rulesOf(object.constructor as new () => object, storage);
  if (rules === null) return false;
  // forbidUnknownValues: an object of a class without rules is refused.
  if (rules.properties.length === 0) return false;
  // whitelist + forbidNonWhitelisted: a field without any rule is refused.
  for (const key in object) if (Object.hasOwn(object, key) && !rules.known.has(key)) return false;
  // One arguments object for the object's properties, filled in for each: the rules read it
  // during their (synchronous) call only.
  const args: ValidationArguments = {
    targetName: object.constructor?.name,
    property: '',
    object,
    value: undefined,
    constraints: [],
  };
  for (const property of rules.properties) {
    const value = (object as Record<string, unknown>)[property.name];
    if (!propertyIsValid(object, value, property, storage, args)) return false;
  }
  return true;
}

function propertyIsValid(
  object: object,
  value: unknown,
  property: PropertyRules,
  storage: Storage,
  args: ValidationArguments,
): boolean {
  if (value instanceof Promise) return false; // not decided here
  for (const condition of property.conditions) if (!condition(object, value)) return true;
  args.property = property.name;
  args.value = value; // `constraints`: set by `rulesHold` for each rule
  if (!rulesHold(property.defined, value, args)) return false;
  if (!rulesHold(property.custom, value, args)) return false;
  if (!property.nested || value === undefined) return true;
  return nestedIsValid(value, storage);
}

function rulesHold(rules: readonly Rule[], value: unknown, args: ValidationArguments): boolean {
  for (const rule of rules) {
    args.constraints = rule.constraints;
    if (rule.each && (Array.isArray(value) || value instanceof Set || value instanceof Map)) {
      const items = value instanceof Map ? [...value.values()] : [...value];
      for (const item of items) if (rule.validate(item, args) !== true) return false;
    } else if (rule.validate(value, args) !== true) return false;
  }
  return true;
}

/** `nestedValidations`: each item of a list (recursively), else an object of a class with rules. */
function nestedIsValid(value: unknown, storage: Storage): boolean {
  if (Array.isArray(value) || value instanceof Set || value instanceof Map) {
    const items = value instanceof Map ? [...value.values()] : [...value];
    for (const item of items) if (item === undefined || !nestedIsValid(item, storage)) return false;
    return true;
  }
  return value instanceof Object && objectIsValid(value, storage);
}

/**
 * The length validator.js's `isLength` gives a string, which class-validator's `@Length` and
 * `@MaxLength` check: code units, less the matches of two global regular expressions, a
 * character followed by a variation selector (U+FE0E, U+FE0F) and a surrogate pair, each
 * counted as the expression finds them (left to right, not overlapping). Counted here by
 * character codes: `isLength` runs both expressions and allocates their matches, on every
 * field of every event.
 */
function isLengthOf(text: string): number {
  const isSelector = (code: number) => code === 0xfe0e || code === 0xfe0f;
  let length = text.length;
  for (let i = 0; i + 1 < text.length; i += 1)
    if (!isSelector(text.charCodeAt(i)) && isSelector(text.charCodeAt(i + 1))) {
      length -= 1;
      i += 1;
    }
  for (let i = 0; i + 1 < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      length -= 1;
      i += 1;
    }
  }
  return length;
}

/**
 * class-validator's commonest string rules, by the name their decorators register, with the
 * same verdicts (`fast-validity.property.spec.ts` compares them on generated strings).
 */
const nativeRules: Partial<Record<string, Rule['validate']>> = {
  isString: (value) => typeof value === 'string' || value instanceof String,
  maxLength: (value, { constraints: [max] }) =>
    typeof value === 'string' &&
    (max === undefined || value.length <= (max as number) || isLengthOf(value) <= (max as number)),
  isLength: (value, { constraints: [min, max] }) => {
    if (typeof value !== 'string') return false;
    const length = isLengthOf(value);
    return length >= ((min as number) || 0) && (max === undefined || length <= (max as number));
  },
};

function rulesOf(cls: new () => object, storage: Storage): ClassRules {
  const metadatas = storage.getTargetValidationMetadatas(cls, '', false, false);
  let rules = compiled.get(metadatas);
  if (rules === undefined) compiled.set(metadatas, (rules = compile(metadatas, storage)));
  return rules;
}

function compile(metadatas: readonly Metadata[], storage: Storage): ClassRules {
  const byProperty = new Map<string, Metadata[]>();
  for (const m of metadatas) {
    let list = byProperty.get(m.propertyName);
    if (!list) byProperty.set(m.propertyName, (list = []));
    list.push(m);
  }
  const properties: PropertyRules[] = [];
  for (const [name, list] of byProperty) {
    const property = {
      name,
      conditions: [] as PropertyRules['conditions'],
      defined: [] as Rule[],
      custom: [] as Rule[],
      nested: false,
    };
    for (const m of list) {
      switch (m.type) {
        case ValidationTypes.WHITELIST:
          break;
        case ValidationTypes.CONDITIONAL_VALIDATION:
          property.conditions.push(m.constraints[0] as PropertyRules['conditions'][number]);
          break;
        case ValidationTypes.NESTED_VALIDATION:
          property.nested = true;
          break;
        case ValidationTypes.IS_DEFINED:
        case ValidationTypes.CUSTOM_VALIDATION:
          for (const constraint of storage.getTargetValidatorConstraints(m.constraintCls)) {
            // validateSync ignores asynchronous constraints; so does this.
            if (constraint.async) continue;
            const instance = constraint.instance as { validate: Rule['validate'] };
            const native =
              m.type === ValidationTypes.CUSTOM_VALIDATION && m.name !== undefined
                ? nativeRules[m.name]
                : undefined;
            (m.type === ValidationTypes.IS_DEFINED ? property.defined : property.custom).push({
              validate: native || ((value, args) => instance.validate(value, args)),
              each: m.each === true,
              constraints: m.constraints,
            });
          }
          break;
        default:
          return null; // a promise validation, or a kind this file does not know
      }
    }
    properties.push(property);
  }
  return { properties, known: new Set(byProperty.keys()) };
}
