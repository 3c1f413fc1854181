import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { unlinkKeysStartingWith } from '@rapport/read-models/internals';
import {
  describeWithServices,
  eventually,
  REPO_ROOT,
  type RunningProcess,
  startProcess,
  testRedis,
} from '@rapport/testing';
import { Client } from 'pg';
import { e2eAccess } from './e2e-access';
import { ensureE2eTopics, e2eTopics, removeE2eTopics } from './e2e-topics';

const TOKEN = `build-scrape-token-${Date.now().toString(36)}-0123456789`;

/**
 * What the Dockerfile ships, without Docker: the services compiled to JavaScript by
 * `infra/docker/build-dist.js` (as the image's build stage runs it), each started from the
 * compiled output with node alone — no TypeScript loader — against the real Kafka, Redis
 * and PostgreSQL, and ready.
 */
describeWithServices(
  ['kafka', 'redis', 'postgres'],
  'production build: compiled services',
  (urls) => {
    jest.setTimeout(300_000);
    const run = `dist${Date.now().toString(36)}`;
    // Under the repository (tmp/ is ignored), so the compiled code finds node_modules as in the image.
    const out = join(REPO_ROOT, 'tmp', run);
    const topics = e2eTopics(`${run}.`);
    const prefix = `rapport:${run}:`;
    const env: Record<string, string> = {
      RAPPORT_BUS: `${urls.kafka}?topicPrefix=${topics.prefix}`,
      RAPPORT_EVENT_STORE: `${urls.postgres}?schema=${run}`,
      RAPPORT_READ_MODELS: `${urls.redis}/0?prefix=${prefix}`,
      RAPPORT_METRICS_TOKEN: TOKEN,
      // A consumer group of its own: ingestors of other suites on the same broker must not
      // be assigned this run's partitions.
      RAPPORT_INGESTOR_GROUP: `${run}-ingestor`,
      RAPPORT_PORT: '0',
    };
    const running: RunningProcess[] = [];

    beforeAll(async () => {
      mkdirSync(join(REPO_ROOT, 'tmp'), { recursive: true });
      execFileSync(process.execPath, [join(REPO_ROOT, 'infra/docker/build-dist.js'), out], {
        stdio: 'pipe',
      });
      // The staff console beside the compiled query API, as the image's build-if-stale.cjs
      // puts it (the same Vite build, into this output rather than the checkout's dist/).
      execFileSync(
        process.execPath,
        [
          join(REPO_ROOT, 'node_modules/vite/bin/vite.js'),
          'build',
          '--config',
          join(REPO_ROOT, 'apps/console/vite.config.mts'),
          '--logLevel',
          'error',
        ],
        {
          cwd: REPO_ROOT,
          stdio: 'pipe',
          env: {
            ...process.env,
            NODE_ENV: 'production',
            RAPPORT_CONSOLE_OUT_DIR: join(out, 'apps/console'),
          },
        },
      );
      await ensureE2eTopics(urls.kafka, topics);
      Object.assign(env, (await e2eAccess(env.RAPPORT_READ_MODELS)).env);
    });

    afterAll(async () => {
      await Promise.all(running.map((p) => p.stop()));
      rmSync(out, { recursive: true, force: true });
      const redis = testRedis(urls.redis);
      await unlinkKeysStartingWith(redis, prefix);
      redis.disconnect();
      await removeE2eTopics(urls.kafka, topics);
      const pg = new Client({ connectionString: urls.postgres });
      await pg.connect();
      await pg.query(`DROP SCHEMA IF EXISTS "${run}" CASCADE`);
      await pg.end();
    });

    it('is what the Dockerfile builds and docker compose runs', () => {
      const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
      // Multi-stage on a Node LTS line (even major), the same build script, production deps only.
      const bases = [...dockerfile.matchAll(/^ARG NODE_IMAGE=node:(\d+)-/gm)].map((m) =>
        Number(m[1]),
      );
      expect(bases).toHaveLength(1);
      expect(bases[0] % 2).toBe(0);
      expect(bases[0]).toBeGreaterThanOrEqual(20);
      expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
      expect(dockerfile).toMatch(/^RUN node infra\/docker\/build-dist\.js dist/m);
      expect(dockerfile).toMatch(/node apps\/console\/build-if-stale\.cjs --force/);
      expect(dockerfile).toMatch(/npm prune --omit=dev/);
      expect(dockerfile).toMatch(/^USER node$/m);
      expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/health\/live/m);
      expect(dockerfile).toMatch(/^ENTRYPOINT \[.*"dist\/service\.js"\]$/m);
      const compose = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
      expect(compose).toMatch(/^ {2}build: \.$/m);
      expect(compose).not.toMatch(/rapport-service|npm ci/);
    });

    it.each(['ingestor', 'projector', 'query-api'])(
      'starts the %s from compiled JavaScript, ready and scrapeable',
      async (name) => {
        const service = await startProcess({
          // The image's command line: the same heap flags as bin/rapport-service, no loader.
          args: [
            '--max-semi-space-size=32',
            '--min-semi-space-size=32',
            '--single-threaded-gc',
            join(out, 'service.js'),
            name,
          ],
          env: { ...env, NODE_ENV: 'production' },
        });
        running.push(service);
        const ready = await eventually(
          async () => (await fetch(`${service.url}/health/ready`)).status,
          (status) => status === 200,
          30_000,
        );
        expect(ready).toBe(200);
        const metrics = await fetch(`${service.url}/metrics`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(metrics.status).toBe(200);
        expect(await metrics.text()).toMatch(/^rapport_http_requests_total\{/m);
        if (name === 'query-api') {
          const page = await fetch(`${service.url}/`);
          expect(page.status).toBe(200);
          expect(await page.text()).toContain('<title>Rapport console</title>');
        }
        // Nothing of the TypeScript tool chain was loaded.
        expect(service.output.join('\n')).not.toMatch(/swc|ts-node/i);
      },
    );
  },
);
