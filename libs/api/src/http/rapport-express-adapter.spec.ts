import {
  Controller,
  Get,
  Header,
  HttpCode,
  type INestApplication,
  Module,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Response } from 'express';
import request from 'supertest';
import { ProblemFilter } from './problem.filter';
import { RapportExpressAdapter, repliedBody } from './rapport-express-adapter';

class Money {
  constructor(readonly cents: number) {}
  toJSON() {
    return `${(this.cents / 100).toFixed(2)} EUR`;
  }
}

let lastReplied: unknown;

@Controller('probe')
class ProbeController {
  @Get('plain')
  plain() {
    return { name: 'email:~secret', list: [1, 'two', null], nested: { ok: true } };
  }

  @Get('array')
  array() {
    return [{ name: 'email:~secret' }];
  }

  @Get('instance')
  instance() {
    return new Money(1250);
  }

  @Get('text')
  text() {
    return 'hello';
  }

  @Get('nothing')
  @HttpCode(204)
  nothing() {
    return { ignored: true };
  }

  @Get('typed')
  @Header('Content-Type', 'application/vnd.probe+json')
  typed() {
    return { typed: true };
  }

  @Get('file')
  file() {
    return new StreamableFile(Buffer.from('a,b\n'), { type: 'text/csv' });
  }

  @Get('fails')
  fails() {
    return { fail: true };
  }

  @Get('replied')
  replied(@Res({ passthrough: true }) res: Response) {
    res.once('close', () => (lastReplied = repliedBody(res)));
    return { kept: 'email:~secret' };
  }
}

/** Replaces the string `email:~secret` anywhere in a body; fails for `{ fail: true }`. */
async function reveal(body: unknown): Promise<unknown> {
  await new Promise((r) => setImmediate(r));
  if ((body as { fail?: unknown } | null)?.fail) throw new Error('the directory is down');
  // As revealIdentities: only plain objects and arrays are rewritten.
  const plain =
    Array.isArray(body) ||
    (typeof body === 'object' && body !== null && Object.getPrototypeOf(body) === Object.prototype);
  if (!plain) return body;
  return JSON.parse(JSON.stringify(body).replaceAll('email:~secret', 'email:ann@example.com'));
}

describe('RapportExpressAdapter', () => {
  let app: INestApplication;

  beforeAll(async () => {
    @Module({ controllers: [ProbeController] })
    class ProbeModule {}
    const adapter = new RapportExpressAdapter();
    app = await NestFactory.create(ProbeModule, adapter, { logger: false });
    app.useGlobalFilters(new ProblemFilter());
    adapter.transformReplies(reveal);
    await app.init();
  });
  afterAll(() => app.close());

  it('sends a plain answer as JSON, transformed, with its length', async () => {
    const res = await request(app.getHttpServer()).get('/probe/plain').expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    expect(res.body).toEqual({
      name: 'email:ann@example.com',
      list: [1, 'two', null],
      nested: { ok: true },
    });
    const array = await request(app.getHttpServer()).get('/probe/array').expect(200);
    expect(array.body).toEqual([{ name: 'email:ann@example.com' }]);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await request(app.getHttpServer()).head('/probe/plain').expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.text).toBeUndefined();
  });

  it("leaves everything else to Nest's reply", async () => {
    const server = app.getHttpServer();
    expect((await request(server).get('/probe/instance').expect(200)).body).toBe('12.50 EUR');
    expect((await request(server).get('/probe/text').expect(200)).text).toBe('hello');
    expect((await request(server).get('/probe/nothing').expect(204)).text).toBe('');
    const typed = await request(server).get('/probe/typed').expect(200);
    expect(typed.headers['content-type']).toMatch(/^application\/vnd\.probe\+json/);
    const file = await request(server).get('/probe/file').expect(200);
    expect(file.headers['content-type']).toMatch(/^text\/csv/);
    expect(file.text).toBe('a,b\n');
  });

  it('answers a failing transform as a handler failure (problem details, 500)', async () => {
    const res = await request(app.getHttpServer()).get('/probe/fails').expect(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('keeps the answer as the handler gave it, before the transform', async () => {
    await request(app.getHttpServer()).get('/probe/replied').expect(200);
    await new Promise((r) => setImmediate(r));
    expect(lastReplied).toEqual({ kept: 'email:~secret' });
  });

  it("creates requests and responses with Express's prototypes already set", async () => {
    const server = app.getHttpServer() as import('node:http').Server;
    const express = app.getHttpAdapter().getInstance() as { request: object; response: object };
    let before: [object | null, object | null] = [null, null];
    // Runs before Express's own listener, which would set the prototypes.
    const seen = (req: object, res: object) =>
      (before = [Object.getPrototypeOf(req), Object.getPrototypeOf(res)]);
    server.prependListener('request', seen);
    try {
      await request(server).get('/probe/plain').expect(200);
    } finally {
      server.off('request', seen);
    }
    expect(before[0]).toBe(express.request);
    expect(before[1]).toBe(express.response);
  });

  it('takes one transform only', () => {
    expect(() => new RapportExpressAdapter().transformReplies(reveal)).not.toThrow();
    const adapter = new RapportExpressAdapter();
    adapter.transformReplies(reveal);
    expect(() => adapter.transformReplies(reveal)).toThrow(/already registered/);
  });
});
