import { type PipeTransform } from '@nestjs/common';
import { type FieldError } from '@rapport/domain';
import { validateDto } from '@rapport/wire';
import { type ClassConstructor } from 'class-transformer';
import { getMetadataStorage } from 'class-validator';
import { ProblemException } from './problem';

/**
 * A request body as a validated DTO: `@Body(new DtoPipe(SomeDto)) dto: SomeDto`.
 *
 * `validateDto` whitelists (an unknown field is refused), validates nested objects and
 * reports every failure with its field path; a refused body is a 400 problem with `errors`.
 * A missing body (no JSON content type) is validated as `{}`: the required fields are named.
 */
export class DtoPipe<T extends object> implements PipeTransform<unknown, T> {
  constructor(readonly dto: ClassConstructor<T>) {}

  transform(body: unknown): T {
    const plain = body ?? {};
    const result = validateDto(this.dto, plain, '');
    if (!result.ok) throw new ProblemException(400, 'invalid request body', result.errors);
    return result.value;
  }
}

/**
 * A query string as a validated DTO, then (optionally) converted to what the handler works
 * with: `@Query(new QueryPipe(SomeQueryDto, toSomeQuery)) query: SomeQuery`.
 *
 * Express hands a query key over as a string, an array (`?a=1&a=2`) or an object (`?a[b]=1`,
 * with the extended parser); only a single plain value is taken. A repeated or bracketed
 * key, or one the DTO does not declare, is a 400 problem naming the parameter; so is any
 * value the DTO's rules refuse. The DTO's fields are therefore always strings (or absent).
 * `convert` may throw a `ProblemException` for what only it can check.
 */
export class QueryPipe<T extends object, R = T> implements PipeTransform<unknown, R> {
  /** The parameters the endpoint takes: the DTO's fields, in declaration order. */
  readonly parameters: readonly string[];

  constructor(
    readonly dto: ClassConstructor<T>,
    private readonly convert: (query: T) => R = (query) => query as unknown as R,
  ) {
    this.parameters = [
      ...new Set(
        getMetadataStorage()
          .getTargetValidationMetadatas(dto, '', false, false)
          .map((rule) => rule.propertyName),
      ),
    ];
  }

  transform(query: unknown): R {
    const errors: FieldError[] = [];
    const plain: Record<string, string> = {};
    const entries = typeof query === 'object' && query !== null ? Object.entries(query) : [];
    for (const [key, value] of entries) {
      if (!this.parameters.includes(key)) errors.push({ path: key, message: this.unknown(key) });
      else if (typeof value === 'string') plain[key] = value;
      else
        errors.push({
          path: key,
          message: Array.isArray(value)
            ? 'given more than once'
            : `brackets are not supported: give ${key}=… once`,
        });
    }
    const result = validateDto(this.dto, plain, '');
    if (!result.ok) errors.push(...result.errors);
    if (errors.length || !result.ok) throw badQuery(errors);
    return this.convert(result.value);
  }

  private unknown(key: string): string {
    const allowed = this.parameters.length
      ? `allowed: ${this.parameters.join(', ')}`
      : 'it takes none';
    const base = /^([^[\]]+)\[/.exec(key)?.[1];
    return base !== undefined && this.parameters.includes(base)
      ? `brackets are not supported: give ${base}=… once`
      : `not a parameter of this endpoint; ${allowed}`;
  }
}

/** A refused query: 400, the detail naming every parameter and why. */
export function badQuery(errors: readonly FieldError[]): ProblemException {
  return new ProblemException(
    400,
    `bad query: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    errors,
  );
}
