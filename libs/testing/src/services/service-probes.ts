import { Kafka, logLevel } from 'kafkajs';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
// Jest runs its global setup (which imports this file) without moduleNameMapper, so the
// `@rapport/messaging` alias does not resolve here; kafka-config has no @rapport imports.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { parseKafkaBusUrl } from '../../../messaging/src/kafka/kafka-bus-url';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { kafkaSecurity } from '../../../messaging/src/kafka/kafka-config';
import { testRedis } from './test-redis';

/**
 * The real services integration tests need. EventStoreDB is handled by its own suite.
 * `redisCluster`: a Redis Cluster of three masters (`infra/local/redis-cluster.sh`), what the
 * read models run on past one Redis (ADR 0037).
 */
export type ServiceName = 'kafka' | 'redis' | 'redisCluster' | 'postgres';
export const SERVICE_NAMES: readonly ServiceName[] = ['kafka', 'redis', 'redisCluster', 'postgres'];

/** Where a test finds each service when no URL is given in the environment (Kafka: see defaultServiceUrl). */
export const DEFAULT_SERVICE_URLS: Record<ServiceName, string> = {
  kafka: 'kafka://127.0.0.1:9092',
  redis: 'redis://127.0.0.1:6379',
  redisCluster: 'redis-cluster://127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003',
  postgres: 'postgres://postgres@127.0.0.1:5432/test',
};

/** The local broker's SASL principal with every right (`infra/kafka/acls.json`). */
export const KAFKA_SUPER_USER = 'admin';

/**
 * Where `infra/local/kafka.sh` keeps the local broker's generated passwords
 * (`<principal>.password`): `$RAPPORT_LOCAL_STATE/kafka/credentials`, by default under
 * `<repo>/.local-services`.
 */
export function localKafkaCredentialsDir(state = process.env.RAPPORT_LOCAL_STATE): string {
  return join(
    resolve(state || join(__dirname, '../../../../.local-services')),
    'kafka/credentials',
  );
}

/** A principal's password from a credentials directory, or undefined when it has none. */
export function kafkaPrincipalPassword(dir: string, principal: string): string | undefined {
  const file = join(dir, `${principal}.password`);
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').trim() || undefined;
}

/**
 * `kafka://user:password@host:port` (the password percent-encoded) for a principal of a
 * credentials directory, or the plain URL when the directory has no password for it.
 */
export function kafkaUrlWithCredentials(
  brokers: string,
  dir: string,
  principal = KAFKA_SUPER_USER,
): string {
  const password = kafkaPrincipalPassword(dir, principal);
  return password === undefined
    ? `kafka://${brokers}`
    : `kafka://${encodeURIComponent(principal)}:${encodeURIComponent(password)}@${brokers}`;
}

/**
 * The URL a service is looked for at on its default port. For Kafka it carries the local
 * admin's credentials when `infra/local/kafka.sh` has generated them: the local broker
 * takes only authenticated clients.
 */
export function defaultServiceUrl(name: ServiceName): string {
  if (name !== 'kafka') return DEFAULT_SERVICE_URLS[name];
  return kafkaUrlWithCredentials('127.0.0.1:9092', localKafkaCredentialsDir());
}

/** The environment variable that names a service explicitly. */
export const SERVICE_ENV: Record<ServiceName, string> = {
  kafka: 'KAFKA_URL',
  redis: 'REDIS_URL',
  redisCluster: 'REDIS_CLUSTER_URL',
  postgres: 'DATABASE_URL',
};

export function kafkaBrokers(url: string): string[] {
  return parseKafkaBusUrl(url).brokers;
}

/** True when the service at `url` answers a real protocol round trip, not just a TCP connect. */
export async function probeService(
  name: ServiceName,
  url: string,
  timeoutMs = 3000,
): Promise<boolean> {
  const timeout = new Promise<false>((r) => setTimeout(() => r(false), timeoutMs).unref());
  return Promise.race([probe(name, url, timeoutMs).catch(() => false), timeout]);
}

async function probe(name: ServiceName, url: string, timeoutMs: number): Promise<boolean> {
  switch (name) {
    case 'redis': {
      const redis = testRedis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        connectTimeout: timeoutMs,
        retryStrategy: () => null,
      });
      try {
        await redis.connect();
        return (await redis.ping()) === 'PONG';
      } finally {
        redis.disconnect();
      }
    }
    case 'redisCluster': {
      const cluster = testRedis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        connectTimeout: timeoutMs,
        clusterRetryStrategy: () => null,
      });
      try {
        await cluster.connect();
        // A cluster that serves every slot: a key of each master answers.
        const info = String(await cluster.cluster('INFO'));
        return /cluster_state:ok/.test(info);
      } finally {
        cluster.disconnect();
      }
    }
    case 'postgres': {
      const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
      try {
        await client.connect();
        return (await client.query('SELECT 1 AS ok')).rows[0].ok === 1;
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    case 'kafka': {
      const bus = parseKafkaBusUrl(url);
      const kafka = new Kafka({
        brokers: bus.brokers,
        ...kafkaSecurity(bus),
        clientId: 'rapport-probe',
        connectionTimeout: timeoutMs,
        retry: { retries: 0 },
        logLevel: logLevel.NOTHING,
      });
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.length > 0;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
  }
}
