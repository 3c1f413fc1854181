import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import { type Response } from 'express';
import { type Observable, throwError } from 'rxjs';
import { type Problem, problem } from './problem';

/**
 * Every HTTP error leaves as `application/problem+json`; unexpected ones are logged, not
 * leaked. The filter is global, and a microservice started with `inheritAppConfig` (the
 * ingestor's Kafka transport) inherits it: there (`rpc`, or any other non-HTTP context) it
 * logs the error and hands it back unchanged, as an Observable that errors, so the
 * transport sees what went wrong.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() !== 'http') {
      this.logger.error(
        `${host.getType()} handler failed: ${describe(exception)}`,
        exception instanceof Error ? exception.stack : undefined,
      );
      return throwError(() => exception);
    }
    const res = host.switchToHttp().getResponse<Response>();
    let body: Problem;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      body =
        typeof response === 'object' && response !== null && 'detail' in response
          ? (response as Problem)
          : problem(status, exception.message);
    } else if (isClientError(exception)) {
      // An error of Express' own middleware (http-errors: body parsing, URL decoding) that
      // reached Nest: its 4xx status and message are meant for the client.
      body = problem(exception.status, exception.message);
    } else {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
      body = problem(500, 'an unexpected error occurred; it has been logged');
    }
    // A handler that has begun its answer (a stream) cannot turn it into a problem.
    if (res.headersSent) return void res.end();
    res.status(body.status).type('application/problem+json').json(body);
  }
}

function isClientError(
  exception: unknown,
): exception is { status: number; message: string; expose: true } {
  if (typeof exception !== 'object' || exception === null) return false;
  const { status, message, expose } = exception as Record<string, unknown>;
  return (
    expose === true &&
    typeof status === 'number' &&
    status >= 400 &&
    status < 500 &&
    typeof message === 'string'
  );
}

function describe(exception: unknown): string {
  return exception instanceof Error ? exception.message : String(exception);
}
