import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdapterKeys } from '@rapport/application';
import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import { openReadModels } from '@rapport/read-models';
import { type RunningProcess, startService } from '../processes/service-process';
import { describeWithServices } from '../services/test-services';
import { matrixCallers, type MatrixRoute, runAccessMatrix } from './access-matrix';
import { TestIssuer } from './test-issuer';
import { unlinkKeysStartingWith } from '@rapport/read-models/internals';
import { testRedis } from '../services/test-redis';

/**
 * The route × principal matrix against one service running as its own process, trusting
 * a test issuer, with an adapter key in its Redis read models. `routes` is the service's own
 * route table (`routeTable(<Service>Module.forRoot(…))`), so a new route is in the matrix.
 */
export function describeServiceAccessMatrix(
  service: 'ingestor' | 'query-api',
  routes: () => readonly MatrixRoute[],
): void {
  const needs = service === 'ingestor' ? (['kafka', 'redis'] as const) : (['redis'] as const);
  describeWithServices([...needs], `${service}: route × principal matrix, running`, (urls) => {
    jest.setTimeout(180_000);
    const run = `access-${randomUUID().slice(0, 8)}`;
    const prefix = `rapport-test-${run}:`;
    const env: Record<string, string> = {
      RAPPORT_EVENT_STORE: `sqlite:${join(mkdtempSync(join(tmpdir(), `rapport-${run}-`)), 'log.db')}`,
      RAPPORT_READ_MODELS: `${urls.redis}/0?prefix=${prefix}`,
      RAPPORT_RATE_LIMIT: '1000000',
      ...(service === 'ingestor' ? { RAPPORT_BUS: `${urls.kafka}?topicPrefix=${run}.` } : {}),
    };
    let issuer: TestIssuer;
    let running: RunningProcess;
    let adapterKey: string;

    beforeAll(async () => {
      issuer = await TestIssuer.start();
      const readModels = openReadModels(env.RAPPORT_READ_MODELS);
      const keys = new AdapterKeys(readModels.access.adapterKeys);
      adapterKey = (await keys.create('matrix', UNRESTRICTED_SCOPE, new Date())).key;
      await readModels.close();
      running = await startService(service, { ...env, ...issuer.env() });
    });
    afterAll(async () => {
      await running?.stop();
      await issuer?.close();
      const redis = testRedis(urls.redis);
      await unlinkKeysStartingWith(redis, prefix);
      await redis.quit();
    });

    it('answers each caller on each of its routes as the route’s policy says', async () => {
      const table = routes();
      expect(table.length).toBeGreaterThan(5);
      expect(table.filter((route) => !route.policy)).toEqual([]);
      const callers = await matrixCallers(issuer, adapterKey);
      expect(await runAccessMatrix(running.url, table, callers)).toEqual([]);
    });

    it('keeps /health open, and it says nothing about customers', async () => {
      const res = await fetch(`${running.url}/health`);
      expect(res.status).toBe(200);
      expect(JSON.stringify(await res.json())).not.toMatch(/@|customerId/);
    });
  });
}
