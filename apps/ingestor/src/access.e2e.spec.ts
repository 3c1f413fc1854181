import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdapterKeys } from '@rapport/application';
import { loadConfig, routeTable } from '@rapport/api';
import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import { openReadModels } from '@rapport/read-models';
import {
  describeWithServices,
  matrixCallers,
  runAccessMatrix,
  type RunningProcess,
  startService,
  TestIssuer,
} from '@rapport/testing';
import Redis from 'ioredis';
import { IngestorModule } from './ingestor.module';

describeWithServices(
  ['kafka', 'redis'],
  'ingestor: route × principal matrix against the running service',
  (urls) => {
    jest.setTimeout(180_000);
    const prefix = `rapport-test-in-access-${randomUUID().slice(0, 8)}:`;
    const env = {
      RAPPORT_EVENT_STORE: `sqlite:${join(mkdtempSync(join(tmpdir(), 'rapport-in-access-')), 'log.db')}`,
      RAPPORT_READ_MODELS: `${urls.redis}/0?prefix=${prefix}`,
      RAPPORT_RATE_LIMIT: '1000000',
      RAPPORT_BUS: `${urls.kafka}?topicPrefix=${prefix.replace(/:/g, '.')}`,
    };
    let issuer: TestIssuer;
    let service: RunningProcess;
    let adapterKey: string;

    beforeAll(async () => {
      issuer = await TestIssuer.start();
      const readModels = openReadModels(env.RAPPORT_READ_MODELS);
      adapterKey = (
        await new AdapterKeys(readModels.access.adapterKeys).create(
          'matrix',
          UNRESTRICTED_SCOPE,
          new Date(),
        )
      ).key;
      await readModels.close();
      service = await startService('ingestor', { ...env, ...issuer.env() });
    });
    afterAll(async () => {
      await service?.stop();
      await issuer?.close();
      const redis = new Redis(urls.redis);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    });

    it('answers each caller on each of its routes as the route’s policy says', async () => {
      const routes = routeTable(IngestorModule.forRoot(loadConfig({})));
      expect(routes.length).toBeGreaterThan(10);
      expect(routes.some((r) => r.policy?.kind === 'adapter')).toBe(true);
      expect(routes.filter((r) => !r.policy)).toEqual([]);
      const wrong = await runAccessMatrix(
        service.url,
        routes,
        await matrixCallers(issuer, adapterKey),
      );
      expect(wrong).toEqual([]);
    });

    it('keeps /health open, and it says nothing about customers', async () => {
      const res = await fetch(`${service.url}/health`);
      expect(res.status).toBe(200);
      const body = JSON.stringify(await res.json());
      expect(body).not.toMatch(/@|customerId/);
    });
  },
);
