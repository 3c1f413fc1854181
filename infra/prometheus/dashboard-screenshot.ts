/**
 * `node -r @swc-node/register infra/prometheus/dashboard-screenshot.ts`: a screenshot of real metrics for the README, where Docker
 * and Grafana are not at hand. Starts the ingestor, the projector and the query API (on the
 * local Kafka, Redis and PostgreSQL, in a run of their own), a Prometheus server (Debian's
 * `prometheus` package, whose classic web UI graphs PromQL) scraping their `/metrics` with
 * the scrape token, publishes a steady workload with some duplicates and poison messages,
 * then graphs a selection of the Grafana dashboard's queries (infra/grafana/dashboards,
 * `$__rate_interval` as 30s) in Prometheus' graph page and saves it to
 * docs/operations/prometheus-dashboard.png. Not the Grafana dashboard itself: the same
 * queries on the same metrics, drawn by Prometheus.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TouchpointPublisher } from '@rapport/adapter-sdk';
import {
  ensureTestPrivacyEnv,
  eventually,
  obtainService,
  REPO_ROOT,
  type RunningProcess,
  startService,
} from '@rapport/testing';
import { kafkaFromUrl } from '@rapport/messaging';
import { unlinkKeysStartingWith } from '@rapport/read-models/internals';
import Redis from 'ioredis';
import { Client } from 'pg';
import { chromium } from 'playwright-core';
import { e2eAccess } from '../../apps/platform-e2e/src/e2e-access';
import {
  e2eTopics,
  ensureE2eTopics,
  removeE2eTopics,
} from '../../apps/platform-e2e/src/e2e-topics';
import { e2eWorkload } from '../../apps/platform-e2e/src/workload';

const SECONDS = Number(process.env.SCREENSHOT_WORKLOAD_SECONDS ?? 150);
const PER_SECOND = Number(process.env.SCREENSHOT_TOUCHPOINTS_PER_SECOND ?? 40);
const CHROMIUM = process.env.RAPPORT_CHROMIUM || '/usr/bin/chromium';

/** The dashboard's panels shown, with their queries (Grafana's `$__rate_interval` as 30s). */
const PANELS = [
  'sum by (outcome) (rate(rapport_ingest_touchpoints_total[30s]))',
  'sum by (reason, channel) (rate(rapport_ingest_refused_total[30s]))',
  'histogram_quantile(0.99, sum by (le, store) (rate(rapport_event_store_append_duration_seconds_bucket[30s])))',
  'max by (projection) (rapport_projection_lag_events)',
  'sum by (service) (rate(process_cpu_seconds_total[30s]))',
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const hostOf = (service: RunningProcess) => new URL(service.url).host;

async function main(): Promise<void> {
  ensureTestPrivacyEnv();
  const log = (line: string) => console.log(`  ${line}`);
  const [kafka, redisService, postgres] = await Promise.all([
    obtainService('kafka', log),
    obtainService('redis', log),
    obtainService('postgres', log),
  ]);
  for (const s of [kafka, redisService, postgres]) if (!s.ok) throw new Error(s.reason);
  const urls = {
    kafka: (kafka as { url: string }).url,
    redis: (redisService as { url: string }).url,
    postgres: (postgres as { url: string }).url,
  };
  const run = `shot${Date.now().toString(36)}`;
  const topics = e2eTopics(`${run}.`);
  const prefix = `rapport:${run}:`;
  const token = `screenshot-scrape-token-${run}-0123456789`;
  const env: Record<string, string> = {
    RAPPORT_BUS: `${urls.kafka}?topicPrefix=${topics.prefix}`,
    RAPPORT_EVENT_STORE: `${urls.postgres}?schema=${run}`,
    RAPPORT_READ_MODELS: `${urls.redis}/0?prefix=${prefix}`,
    RAPPORT_METRICS_TOKEN: token,
    RAPPORT_INGESTOR_GROUP: `${run}-ingestor`,
  };
  await ensureE2eTopics(urls.kafka, topics);
  Object.assign(env, (await e2eAccess(env.RAPPORT_READ_MODELS)).env);
  const services: Record<string, RunningProcess> = {};
  const folder = mkdtempSync(join(tmpdir(), 'rapport-prometheus-'));
  let prometheus: ReturnType<typeof spawn> | undefined;
  try {
    for (const name of ['ingestor', 'projector', 'query-api'] as const)
      services[name] = await startService(name, env);

    const port = await freePort();
    writeFileSync(join(folder, 'token'), token);
    writeFileSync(
      join(folder, 'prometheus.yml'),
      [
        'global: { scrape_interval: 2s, evaluation_interval: 2s }',
        'scrape_configs:',
        ...Object.entries(services).map(([name, service]) =>
          [
            `  - job_name: ${name}`,
            `    authorization: { type: Bearer, credentials_file: ${join(folder, 'token')} }`,
            `    static_configs: [{ targets: ['${hostOf(service)}'], labels: { service: ${name} } }]`,
          ].join('\n'),
        ),
      ].join('\n'),
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(folder, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(folder, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    const promUrl = `http://127.0.0.1:${port}`;
    await eventually(
      async () => (await fetch(`${promUrl}/-/ready`).catch(() => null))?.status,
      (status) => status === 200,
      30_000,
      200,
    );

    const publisher = new TouchpointPublisher({
      kafkaUrl: urls.kafka,
      topicPrefix: topics.prefix,
      clientId: `${run}-adapter`,
      source: 'screenshot/adapter',
    });
    await publisher.connect();
    const poison = kafkaFromUrl(urls.kafka, `${run}-poison`).producer();
    await poison.connect();
    const workload = e2eWorkload(run, SECONDS * PER_SECOND, 500);
    log(
      `publishing ${workload.length} touchpoints over ${SECONDS} s (1 in 10 again, 1 in 50 poison)`,
    );
    for (let second = 0; second < SECONDS; second++) {
      const started = Date.now();
      const batch = workload.slice(second * PER_SECOND, (second + 1) * PER_SECOND);
      await publisher.publishBatch(batch);
      await publisher.publishBatch(batch.filter((_, i) => i % 10 === 0)); // duplicates
      if (second % 2 === 0)
        await poison.send({
          topic: `${topics.prefix}touchpoints.email`,
          messages: [{ key: 'poison', value: '{"specversion":"1.0","not":"a touchpoint"}' }],
        });
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, 1000 - (Date.now() - started))),
      );
    }
    await poison.disconnect();
    await publisher.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 10_000)); // lag back to zero, on the graph

    const query = PANELS.map(
      (expr, i) =>
        `g${i}.expr=${encodeURIComponent(expr)}&g${i}.tab=0&g${i}.range_input=${Math.ceil((SECONDS + 30) / 60)}m`,
    ).join('&');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`${promUrl}/classic/graph?${query}`);
      await page.waitForSelector('.graph_area svg path', { timeout: 30_000 });
      await page.addStyleTag({ content: '.navbar { display: none !important; }' }); // fixed: it would cross the page
      await page.waitForTimeout(2_000);
      const out = join(REPO_ROOT, 'docs', 'operations');
      mkdirSync(out, { recursive: true });
      await page.screenshot({ path: join(out, 'prometheus-dashboard.png'), fullPage: true });
      log(`saved docs/operations/prometheus-dashboard.png`);
    } finally {
      await browser.close();
    }
  } finally {
    prometheus?.kill('SIGTERM');
    await Promise.all(Object.values(services).map((service) => service.stop()));
    const redis = new Redis(urls.redis);
    await unlinkKeysStartingWith(redis, prefix);
    redis.disconnect();
    await removeE2eTopics(urls.kafka, topics);
    const pg = new Client({ connectionString: urls.postgres });
    await pg.connect();
    await pg.query(`DROP SCHEMA IF EXISTS "${run}" CASCADE`);
    await pg.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
