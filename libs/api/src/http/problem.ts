import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import { type FieldError } from '@rapport/domain';

/** The body of every error answer (RFC 9457 problem details, plus field-level `errors`). */
export interface Problem {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  501: 'Not Implemented',
};

export function problem(status: number, detail: string, errors?: readonly FieldError[]): Problem {
  return {
    status,
    title: TITLES[status] ?? STATUS_CODES[status] ?? 'Error',
    detail,
    ...(errors ? { errors } : {}),
  };
}

/** Throw from a controller to answer with a problem body. */
export class ProblemException extends HttpException {
  constructor(status: number, detail: string, errors?: readonly FieldError[]) {
    super(problem(status, detail, errors), status);
  }
}
