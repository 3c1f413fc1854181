import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { AllInOneModule, createHttpApp } from '@rapport/api';
import { specConfig, withHeaders } from '@rapport/api/testing';
import { describeWithServices, untilPasses, testRedis } from '@rapport/testing';
import { startCli } from './support/cli-process.spec-helper';
import { unlinkKeysStartingWith } from '@rapport/read-models/internals';

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  const run = startCli(args, process.cwd(), { ...process.env, ...env });
  const code = await run.exited;
  return { code, ...run.out };
}

describeWithServices(
  ['redis'],
  'rapport adapter-keys (CLI) with two replicas on one Redis',
  ({ redis: redisUrl }) => {
    jest.setTimeout(120_000);
    const prefix = `rapport-test-keys-${randomUUID().slice(0, 8)}:`;
    const readModels = `${redisUrl}?prefix=${prefix}`;
    const env = { RAPPORT_READ_MODELS: readModels };
    const replicas: INestApplication[] = [];

    beforeAll(async () => {
      for (let i = 0; i < 2; i++) {
        const dir = mkdtempSync(join(tmpdir(), 'rapport-keys-'));
        const config = await specConfig(
          {},
          { eventStoreUrl: `sqlite:${join(dir, 'log.db')}`, readModelsUrl: readModels },
        );
        const app = await createHttpApp(AllInOneModule.forRoot(config), config);
        await app.init();
        replicas.push(app);
      }
    });
    afterAll(async () => {
      await Promise.all(replicas.map((app) => app.close()));
      const redis = testRedis(redisUrl);
      await unlinkKeysStartingWith(redis, prefix);
      await redis.quit();
    });

    const post = (app: INestApplication, key: string, n: number) =>
      withHeaders(app.getHttpServer(), { 'x-api-key': key })
        .post('/v1/touchpoints')
        .send({
          specversion: '1.0',
          id: `k-${n}`,
          source: 'mail-gateway://eu/1',
          type: 'touchpoint.recorded.v1',
          time: '2026-01-01T09:00:00Z',
          data: {
            channel: 'email',
            direction: 'inbound',
            identity: { kind: 'email', value: `k${n}@example.com` },
          },
        });

    it('creates, lists, rotates and revokes; a revocation reaches every replica within seconds', async () => {
      const created = await cli(
        [
          'adapter-keys',
          'create',
          'mail gateway',
          '--channels',
          'email',
          '--sources',
          'mail-gateway://eu/*',
          '--verified',
          'email',
          '--json',
        ],
        env,
      );
      expect(created.code).toBe(0);
      const { key, record } = JSON.parse(created.stdout) as { key: string; record: { id: string } };
      expect(key).toMatch(/^rk_[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/);
      // Never stored: the listing and Redis hold the id, not the secret.
      const listed = await cli(['adapter-keys', 'list'], env);
      expect(listed.stdout).toContain(record.id);
      expect(listed.stdout).not.toContain(key.split('.')[1]);
      const redis = testRedis(redisUrl);
      expect(JSON.stringify(await redis.hgetall(`${prefix}access:adapter-keys`))).not.toContain(
        key.split('.')[1],
      );
      await redis.quit();

      expect((await post(replicas[0], key, 1)).status).toBe(202);
      expect((await post(replicas[1], key, 2)).status).toBe(202);
      const revoked = await cli(['adapter-keys', 'revoke', record.id], env);
      expect(revoked.code).toBe(0);
      const started = Date.now();
      await untilPasses(async () => {
        expect((await post(replicas[0], key, 3)).status).toBe(401);
        expect((await post(replicas[1], key, 4)).status).toBe(401);
      }, 10_000);
      expect(Date.now() - started).toBeLessThan(7_000);
    });

    it('refuses bad input with a usage error, and memory read models with a pointer to the API', async () => {
      const bad = await cli(['adapter-keys', 'create', 'x', '--channels', 'fax'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('unknown channel "fax"');
      const memory = await cli(['adapter-keys', 'list'], { RAPPORT_READ_MODELS: 'memory' });
      expect(memory.code).toBe(2);
      expect(memory.stderr).toContain('POST /v1/admin/adapter-keys');
      const unknown = await cli(['adapter-keys', 'rotate', '0123456789abcdef'], env);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('no adapter key 0123456789abcdef');
    });
  },
);
