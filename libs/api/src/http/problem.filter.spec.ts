import { type ArgumentsHost, Logger, NotFoundException } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { isObservable, lastValueFrom } from 'rxjs';
import { ProblemFilter } from './problem.filter';
import { ProblemException } from './problem';

function httpHost() {
  const res = {
    headersSent: false,
    statusCode: 0,
    contentType: '',
    body: undefined as unknown,
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    type(type: string) {
      this.contentType = type;
      return this;
    },
    json(body: unknown) {
      this.body = body;
      return this;
    },
    end() {
      return this;
    },
  };
  const host = new ExecutionContextHost([{}, res, () => undefined]);
  host.setType('http');
  return { host: host as ArgumentsHost, res };
}

describe('ProblemFilter', () => {
  const filter = new ProblemFilter();
  beforeEach(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('answers a ProblemException with its problem, field errors included', () => {
    const { host, res } = httpHost();
    filter.catch(new ProblemException(400, 'bad', [{ path: 'a', message: 'm' }]), host);
    expect(res.statusCode).toBe(400);
    expect(res.contentType).toBe('application/problem+json');
    expect(res.body).toEqual({
      status: 400,
      title: 'Bad Request',
      detail: 'bad',
      errors: [{ path: 'a', message: 'm' }],
    });
  });

  it("answers Nest's own HTTP exceptions (an unknown route) as problems", () => {
    const { host, res } = httpHost();
    filter.catch(new NotFoundException('Cannot GET /nowhere'), host);
    expect(res.body).toEqual({ status: 404, title: 'Not Found', detail: 'Cannot GET /nowhere' });
  });

  it("answers Express' own client errors (http-errors with expose) with their 4xx", () => {
    const { host, res } = httpHost();
    const error = Object.assign(new URIError('Failed to decode param'), {
      status: 400,
      expose: true,
    });
    filter.catch(error, host);
    expect(res.body).toEqual({
      status: 400,
      title: 'Bad Request',
      detail: 'Failed to decode param',
    });
  });

  it('answers anything else with a 500 that leaks nothing, and logs it', () => {
    const { host, res } = httpHost();
    filter.catch(new Error('secret connection string'), host);
    expect(res.statusCode).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain('secret');
    expect(Logger.prototype.error).toHaveBeenCalled();
  });

  it('in an rpc context (a Kafka handler), logs the error and hands it back to the transport', async () => {
    const host = new ExecutionContextHost([{ events: [] }, { getTopic: () => 't' }]);
    host.setType('rpc');
    const error = new Error('the log is unreachable');
    const result = filter.catch(error, host);
    expect(isObservable(result)).toBe(true);
    await expect(lastValueFrom(result as never)).rejects.toBe(error);
    expect(Logger.prototype.error).toHaveBeenCalledWith(
      expect.stringContaining('the log is unreachable'),
      expect.any(String),
    );
  });

  it('hands back HTTP exceptions raised in an rpc context unchanged too', async () => {
    const host = new ExecutionContextHost([{}]);
    host.setType('rpc');
    const error = new ProblemException(400, 'bad');
    await expect(lastValueFrom(filter.catch(error, host) as never)).rejects.toBe(error);
  });
});
