import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { HEALTH_CHECKS, type HealthCheck } from '../platform/tokens';
import { HealthController } from './health.controller';

describe('/health with the checks a service adds', () => {
  let app: INestApplication;
  let failing = false;
  const dlq: HealthCheck = {
    name: 'deadLetterTopic',
    status: () =>
      failing
        ? { status: 'failing', since: '2026-12-06T07:00:00.000Z', error: 'broker down' }
        : { status: 'ok' },
  };

  beforeAll(async () => {
    @Module({
      controllers: [HealthController],
      providers: [{ provide: HEALTH_CHECKS, useValue: [dlq] }],
    })
    class ProbeModule {}
    app = await NestFactory.create(ProbeModule, { logger: false });
    await app.init();
  });
  afterAll(() => app.close());

  it('answers 200 while every check is ok, and 503 naming the one that fails', async () => {
    const ok = await request(app.getHttpServer()).get('/health').expect(200);
    expect(ok.body).toMatchObject({ status: 'ok', checks: { deadLetterTopic: { status: 'ok' } } });
    failing = true;
    const down = await request(app.getHttpServer()).get('/health').expect(503);
    expect(down.body).toMatchObject({
      status: 'failing',
      checks: { deadLetterTopic: { status: 'failing', error: 'broker down' } },
    });
  });
});
