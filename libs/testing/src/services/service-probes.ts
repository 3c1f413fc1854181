import { Kafka, logLevel } from 'kafkajs';
import Redis from 'ioredis';
import { Client } from 'pg';

/** The real services integration tests need. EventStoreDB is handled by its own suite. */
export type ServiceName = 'kafka' | 'redis' | 'postgres';
export const SERVICE_NAMES: readonly ServiceName[] = ['kafka', 'redis', 'postgres'];

/** Where a test finds each service when no URL is given in the environment. */
export const DEFAULT_SERVICE_URLS: Record<ServiceName, string> = {
  kafka: 'kafka://127.0.0.1:9092',
  redis: 'redis://127.0.0.1:6379',
  postgres: 'postgres://postgres@127.0.0.1:5432/test',
};

/** The environment variable that names a service explicitly. */
export const SERVICE_ENV: Record<ServiceName, string> = {
  kafka: 'KAFKA_URL',
  redis: 'REDIS_URL',
  postgres: 'DATABASE_URL',
};

export function kafkaBrokers(url: string): string[] {
  return url
    .replace(/^kafka:\/\//, '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
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
      const redis = new Redis(url, {
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
      const kafka = new Kafka({
        brokers: kafkaBrokers(url),
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
