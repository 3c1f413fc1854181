import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type StaffRole } from '@rapport/domain';
import { kafkaFromUrl, provisionTopics, removeTopics, topicNames } from '@rapport/messaging';
import {
  describeWithServices,
  eventually,
  REPO_ROOT,
  type RunningProcess,
  type ServiceUrls,
  startService,
  testRedis,
} from '@rapport/testing';
import { unlinkKeysStartingWith } from '@rapport/read-models/internals';
import { Client } from 'pg';
import { CHROMIUM, failWithoutChromiumUnderCi, HAS_CHROMIUM } from './chromium';
import { startConsoleProxy } from './console-proxy';
import { API_RESOURCE, type DevIssuerProcess, startDevIssuer } from './dev-issuer-process';

const execFileAsync = promisify(execFile);

/**
 * The platform in its production shape, for the console's browser tests: the ingestor, the
 * projector and the query API as separate processes on Kafka, Redis and PostgreSQL (topics,
 * key prefix and schema of this run only), the development OpenID provider in a process of
 * its own, and a reverse proxy in front (the console's one origin, as in docs/console.md).
 */
export interface RealPlatform {
  /** How long it took to start (build check, topics, issuer, services, proxy). */
  readonly startupMs: number;
  /** Where the browser goes: the proxy, serving the console and the API. */
  readonly origin: string;
  readonly ingestor: RunningProcess;
  readonly projector: RunningProcess;
  readonly queryApi: RunningProcess;
  /** This run's Kafka topic prefix (for adapters publishing with the SDK). */
  readonly topicPrefix: string;
  /** A bearer token of the development provider's demo client for `role`. */
  token(role: StaffRole): Promise<string>;
  /**
   * Resolves once the projector has caught up with the log and the log holds still: what the
   * last touchpoints caused (identity decisions, idea intake, notifications) is in, and
   * projected.
   */
  settled(timeoutMs?: number): Promise<void>;
  /** Stops everything and removes this run's topics, keys and schema. */
  stop(): Promise<void>;
}

interface ProjectorHealth {
  log?: { head: number };
  projections: { name?: string; lag?: number }[];
}

export async function startRealPlatform(urls: ServiceUrls, run: string): Promise<RealPlatform> {
  const began = Date.now();
  const topics = topicNames(`${run}.`);
  const prefix = `rapport:${run}:`;
  // What to undo, last first: on stop, or when a start fails half-way.
  const undo: (() => Promise<unknown>)[] = [
    () => removeTopics(kafkaFromUrl(urls.kafka, `${run}-admin`), topics.prefix),
    () => dropSchema(urls.postgres, run),
    () => removeKeys(urls.redis, prefix),
  ];
  const stop = async () => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  try {
    // Before the services: the console the query API serves (built when its sources are
    // newer), the topics the ingestor consumes, and the issuer they trust.
    const ready = await Promise.allSettled([
      execFileAsync(process.execPath, [join(REPO_ROOT, 'apps/console/build-if-stale.cjs')], {
        cwd: REPO_ROOT,
        maxBuffer: 64 * 1024 * 1024,
      }),
      provisionTopics(kafkaFromUrl(urls.kafka, `${run}-admin`), topics.prefix),
      startDevIssuer(),
    ] as const);
    const issued = ready[2];
    if (issued.status === 'fulfilled') undo.push(() => issued.value.close());
    for (const step of ready) if (step.status === 'rejected') throw step.reason;
    const issuer = (issued as PromiseFulfilledResult<DevIssuerProcess>).value;
    const env: Record<string, string> = {
      RAPPORT_BUS: `${urls.kafka}?topicPrefix=${topics.prefix}`,
      RAPPORT_EVENT_STORE: `${urls.postgres}?schema=${run}`,
      RAPPORT_READ_MODELS: `${urls.redis}/0?prefix=${prefix}`,
      RAPPORT_OIDC_ISSUER: issuer.issuer,
      RAPPORT_CONSOLE_RESOURCE: API_RESOURCE,
    };
    const started = await Promise.allSettled(
      (['ingestor', 'projector', 'query-api'] as const).map((name) => startService(name, env)),
    );
    const services = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    undo.push(() => Promise.all(services.map((s) => s.stop())));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const [ingestor, projector, queryApi] = services;
    const proxy = await startConsoleProxy(ingestor.url, queryApi.url);
    undo.push(() => proxy.close());
    await issuer.allowConsole(proxy.origin);

    const health = async (): Promise<ProjectorHealth> =>
      (await fetch(`${projector.url}/health`)).json() as Promise<ProjectorHealth>;
    const caughtUp = (h: ProjectorHealth) =>
      h.projections.length > 0 && h.projections.every((p) => p.lag === 0);
    return {
      startupMs: Date.now() - began,
      origin: proxy.origin,
      ingestor,
      projector,
      queryApi,
      topicPrefix: topics.prefix,
      token: (role) => issuer.token(role),
      async settled(timeoutMs = 60_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const now = await eventually(health, caughtUp, Math.max(deadline - Date.now(), 0), 100);
          if (!caughtUp(now))
            throw new Error(`the projector did not catch up: ${JSON.stringify(now.projections)}`);
          await new Promise((resolve) => setTimeout(resolve, 300));
          const later = await health();
          if (caughtUp(later) && later.log?.head === now.log?.head) return;
          if (Date.now() > deadline) throw new Error('the log did not hold still');
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function removeKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = testRedis(redisUrl);
  try {
    await unlinkKeysStartingWith(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

async function dropSchema(postgresUrl: string, schema: string): Promise<void> {
  const pg = new Client({ connectionString: postgresUrl });
  await pg.connect();
  try {
    await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await pg.end();
  }
}

/**
 * A describe block for a browser test against the real platform: it needs Kafka, Redis and
 * PostgreSQL (`describeWithServices`) and Chromium. Either missing skips it with the reason,
 * except under CI=true, where it fails.
 */
export function describeInChromiumOnRealPlatform(
  title: string,
  body: (urls: ServiceUrls) => void,
): void {
  failWithoutChromiumUnderCi(title);
  describeWithServices(['kafka', 'redis', 'postgres'], title, (urls) => {
    if (!HAS_CHROMIUM) {
      it.skip(`needs Chromium at ${CHROMIUM}`, () => undefined);
      return;
    }
    body(urls);
  });
}
