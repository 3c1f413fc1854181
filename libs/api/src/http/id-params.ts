import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { validate as isUuid } from 'uuid';
import { ProblemException } from './problem';

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** A value echoed in a problem's detail, cut short when long. */
export function echo(value: string, max = 100): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/**
 * `@Param('id', CustomerIdPipe)`: customer ids are UUIDs (taken in any case, answered in
 * lower case); anything else is a 400 problem.
 */
@Injectable()
export class CustomerIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (typeof value !== 'string' || !isUuid(value))
      throw new ProblemException(400, `customer id ${echo(String(value))} is not a UUID`, [
        { path: metadata.data ?? 'id', message: 'expected a UUID' },
      ]);
    return value.toLowerCase();
  }
}

/**
 * `@Param('id', new IdParamPipe('idea id'))`: an id of 1–`maxLength` characters (idea ids,
 * and the customer ids of the idea backlog, which are not always UUIDs). A longer one, or
 * one holding control characters, is a 400 problem: no such id is ever stored, and
 * PostgreSQL refuses a NUL in a stream id outright (a 500 before).
 */
export class IdParamPipe implements PipeTransform<unknown, string> {
  constructor(
    private readonly what: string,
    private readonly maxLength = 128,
  ) {}

  transform(value: unknown, metadata: ArgumentMetadata): string {
    const path = metadata.data ?? 'id';
    if (typeof value !== 'string' || value.length === 0 || value.length > this.maxLength)
      throw new ProblemException(400, `${this.what} must be 1–${this.maxLength} characters long`, [
        { path, message: `expected 1–${this.maxLength} characters` },
      ]);
    if (CONTROL_CHARACTERS.test(value))
      throw new ProblemException(400, `${this.what} holds control characters`, [
        { path, message: 'expected no control characters' },
      ]);
    return value;
  }
}

/**
 * A body field naming something by id (an idea, a customer of the idea backlog): a string
 * of 1–`maxLength` characters without control characters, like the ids `IdParamPipe` takes.
 */
export function IsId(maxLength = 128, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isId',
      constraints: [maxLength],
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          value.length >= 1 &&
          value.length <= maxLength &&
          !CONTROL_CHARACTERS.test(value),
        defaultMessage: () =>
          `$property must be an id of 1–${maxLength} characters without control characters`,
      },
    },
    options,
  );
}
