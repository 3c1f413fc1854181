import { Transform, Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  ValidateNested,
  getMetadataStorage,
  registerDecorator,
} from 'class-validator';
import { instantiateDto } from './instantiate-dto';
import { NestedObject, NestedObjects } from '@rapport/domain';
import { validateDto } from './validate-dto';

class Leaf {
  @IsString()
  name!: string;
}

class Tree {
  @IsInt()
  size!: number;

  @NestedObject(() => Leaf)
  top!: Leaf;

  @NestedObjects(() => Leaf, { optional: true, maxSize: 3 })
  leaves?: Leaf[];
}

/** A nested field the old way, which let missing values, arrays and nulls through. */
class Unguarded {
  @IsOptional()
  @ValidateNested()
  @Type(() => Leaf)
  leaf?: Leaf;
}

class HoldsUnguarded {
  @NestedObject(() => Unguarded)
  inner!: Unguarded;
}

class Trimmed {
  @IsString()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  name!: string;
}

describe('instantiateDto', () => {
  it('turns nested objects and arrays of them into instances of their @Type classes', () => {
    const tree = instantiateDto(Tree, {
      size: 2,
      top: { name: 'a' },
      leaves: [{ name: 'b' }, 'not an object'],
    });
    expect(tree).toBeInstanceOf(Tree);
    expect(tree.top).toBeInstanceOf(Leaf);
    expect(tree.leaves?.[0]).toBeInstanceOf(Leaf);
    expect(tree.leaves?.[1]).toBe('not an object');
  });

  it('keeps a __proto__ key as a field instead of changing the prototype', () => {
    const plain = JSON.parse('{"size": 1, "top": {"name": "a"}, "__proto__": {"polluted": true}}');
    const tree = instantiateDto(Tree, plain);
    expect(Object.getPrototypeOf(tree)).toBe(Tree.prototype);
    expect((tree as unknown as { polluted?: boolean }).polluted).toBeUndefined();
    const result = validateDto(Tree, plain, '');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.path)).toContain('__proto__');
  });

  it('hands classes with other class-transformer decorators to plainToInstance', () => {
    expect(instantiateDto(Trimmed, { name: '  x  ' }).name).toBe('x');
  });
});

describe('validateDto', () => {
  it('refuses a field named __proto__ like any other unknown field', () => {
    const result = validateDto(Leaf, JSON.parse('{"name":"a","__proto__":{}}'), '');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.path)).toEqual(['__proto__']);
  });

  it.each([null, 1, {}])('refuses a field named constructor holding %p, at any depth', (value) => {
    for (const plain of [
      { size: 1, top: { name: 'a' }, constructor: value },
      { size: 1, top: { name: 'a', constructor: value } },
    ]) {
      const result = validateDto(Tree, plain, 'd');
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors[0].message).toContain('constructor should not exist');
    }
  });

  it('refuses a field named constructor (class-validator finds no rules for the object then)', () => {
    const result = validateDto(Leaf, { name: 'a', constructor: 1 }, 'data');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0].path).toBe('data.constructor');
  });

  it('validates nested classes and reports every failure with its path', () => {
    const result = validateDto(
      Tree,
      { size: 'big', top: { name: 3 }, leaves: [{}], extra: 1 },
      'd',
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors.map((e) => e.path).sort()).toEqual([
        'd.extra',
        'd.leaves.0.name',
        'd.size',
        'd.top.name',
      ]);
  });

  it.each([
    ['missing', { size: 1 }, 'd.top', 'top is required'],
    ['an array', { size: 1, top: [] }, 'd.top', 'top must be an object'],
    ['an array of objects', { size: 1, top: [{ name: 'a' }] }, 'd.top', 'top must be an object'],
    ['null', { size: 1, top: null }, 'd.top', 'top must be an object'],
    ['a string', { size: 1, top: 'x' }, 'd.top', 'top must be an object'],
  ])('refuses a required nested object that is %s', (_, plain, path, message) => {
    const result = validateDto(Tree, plain, 'd');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toContainEqual({ path, message });
  });

  it.each([
    ['null', null, 'd.leaves', 'leaves must be an array'],
    ['an object', { name: 'a' }, 'd.leaves', 'leaves must be an array'],
    ['a list holding an array', [[]], 'd.leaves', 'each item of leaves must be an object'],
    ['a list holding null', [null], 'd.leaves', 'each item of leaves must be an object'],
    [
      'too long',
      [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }],
      'd.leaves',
      'leaves must contain no more than 3 elements',
    ],
  ])('refuses an optional list of nested objects that is %s', (_, leaves, path, message) => {
    const result = validateDto(Tree, { size: 1, top: { name: 'a' }, leaves }, 'd');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toContainEqual({ path, message });
  });

  it('accepts an optional list that is left out', () => {
    expect(validateDto(Tree, { size: 1, top: { name: 'a' } }, '').ok).toBe(true);
  });

  it('throws on a class with a nested field not declared with NestedObject, at any depth', () => {
    expect(() => validateDto(Unguarded, {}, '')).toThrow(/Unguarded\.leaf .*NestedObject/);
    expect(() => validateDto(HoldsUnguarded, { inner: {} }, '')).toThrow(/Unguarded\.leaf/);
  });

  it('sees rules registered after a first validation (the rule cache is dropped)', () => {
    class Late {
      @IsString()
      name!: string;
    }
    expect(validateDto(Late, { name: 'ok' }, '').ok).toBe(true);
    registerDecorator({
      target: Late,
      propertyName: 'name',
      validator: { validate: (value: unknown) => value !== 'forbidden' },
      options: { message: 'name may not be forbidden' },
    });
    const result = validateDto(Late, { name: 'forbidden' }, '');
    expect(result.ok).toBe(false);
    expect(getMetadataStorage().getTargetValidationMetadatas(Late, '', false, false)).toHaveLength(
      2,
    );
  });
});
