import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import { type Response } from 'express';
import { type Problem, problem } from './problem';

/** Every error leaves as `application/problem+json`; unexpected ones are logged, not leaked. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let body: Problem;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      body =
        typeof response === 'object' && response !== null && 'detail' in response
          ? (response as Problem)
          : problem(status, exception.message);
    } else {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
      body = problem(500, 'an unexpected error occurred; it has been logged');
    }
    res.status(body.status).type('application/problem+json').json(body);
  }
}
