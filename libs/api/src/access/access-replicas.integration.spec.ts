import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { describeWithServices, eventually, testRedis } from '@rapport/testing';
import { createHttpApp } from '../http/create-http-app';
import { specConfig, specIssuer, withHeaders } from '../http/embedded-http-app.spec-helper';
import { AllInOneModule } from '../platform/all-in-one.module';
import { unlinkKeysStartingWith } from '@rapport/read-models/internals';

describeWithServices(['redis'], 'access state shared by replicas on one Redis', (urls) => {
  jest.setTimeout(60_000);
  const prefix = `rapport-test-replicas-${randomUUID().slice(0, 8)}:`;
  const replicas: INestApplication[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'rapport-replica-'));
      const config = await specConfig(
        {},
        {
          eventStoreUrl: `sqlite:${join(dir, 'log.db')}`,
          readModelsUrl: `${urls.redis}/0?prefix=${prefix}`,
          rateLimitPerMinute: 4,
        },
      );
      const app = await createHttpApp(AllInOneModule.forRoot(config), config);
      await app.init();
      replicas.push(app);
    }
  });
  afterAll(async () => {
    await Promise.all(replicas.map((app) => app.close()));
    const redis = testRedis(urls.redis);
    await unlinkKeysStartingWith(redis, prefix);
    await redis.quit();
  });

  it('counts one principal’s requests across replicas: the fifth in a minute is refused on either', async () => {
    const token = await (
      await specIssuer()
    ).token({ subject: `rl-${randomUUID()}`, roles: ['agent'] });
    const on = (i: number) =>
      withHeaders(replicas[i].getHttpServer(), { authorization: `Bearer ${token}` });
    const statuses: number[] = [];
    for (const replica of [0, 1, 0, 1, 0, 1])
      statuses.push((await on(replica).get('/v1/ideas')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('shows an audit entry written on one replica to an admin on the other', async () => {
    const issuer = await specIssuer();
    const agent = await issuer.token({ subject: `audited-${randomUUID()}`, roles: ['agent'] });
    const admin = await issuer.token({ subject: `admin-${randomUUID()}`, roles: ['admin'] });
    const customerId = randomUUID();
    await withHeaders(replicas[0].getHttpServer(), { authorization: `Bearer ${agent}` })
      .get(`/v1/customers/${customerId}`)
      .expect(404);
    // Audit entries are written in batches a few milliseconds apart (ADR 0039).
    const trail = await eventually(
      () =>
        withHeaders(replicas[1].getHttpServer(), { authorization: `Bearer ${admin}` })
          .get(`/v1/audit?customerId=${customerId}`)
          .expect(200),
      (answer) => (answer.body as unknown[]).length > 0,
    );
    expect(trail.body).toEqual([
      expect.objectContaining({ action: 'GET /v1/customers/:id', status: 404, customerId }),
    ]);
  });
});
