import { existsSync } from 'node:fs';
import { join } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see service-probes.ts
import { parseKafkaBusUrl } from '../../../messaging/src/kafka/kafka-bus-url';
import { SERVICE_NAMES, type ServiceName } from './service-probes';

/** `redisCluster` → `REDIS_CLUSTER`. */
const envName = (name: ServiceName) => name.replace(/[A-Z]/g, '_$&').toUpperCase();

/** Environment variables the Jest global setup uses to hand services to the test files. */
export const serviceUrlVariable = (name: ServiceName) => `RAPPORT_TEST_${envName(name)}_URL`;
export const serviceMissingVariable = (name: ServiceName) =>
  `RAPPORT_TEST_${envName(name)}_MISSING`;

export type ServiceUrls = Record<ServiceName, string>;

/**
 * `RAPPORT_TEST_REDIS=cluster`: the whole suite runs with the Redis Cluster as its Redis —
 * `urls.redis` is the cluster's URL, and a test that needs `redis` needs the cluster.
 */
export function testRedisIsCluster(): boolean {
  return process.env.RAPPORT_TEST_REDIS === 'cluster';
}

/** The service that stands for `name` in this run (the cluster for `redis`, see above). */
function standIn(name: ServiceName): ServiceName {
  return name === 'redis' && testRedisIsCluster() ? 'redisCluster' : name;
}

/** The URL of a service the global setup found, or undefined. */
export function testServiceUrl(name: ServiceName): string | undefined {
  return process.env[serviceUrlVariable(standIn(name))] || undefined;
}

/**
 * A describe block that needs real services. Where one is missing it is skipped with a
 * message saying which and why, except under CI=true, where the global setup has
 * already failed the run.
 */
export function describeWithServices(
  names: readonly ServiceName[],
  title: string,
  body: (urls: ServiceUrls) => void,
): void {
  const missing = names.filter((n) => !testServiceUrl(n));
  if (missing.length > 0) {
    const reasons = missing
      .map((n) => `${n}: ${process.env[serviceMissingVariable(standIn(n))] ?? 'not looked for'}`)
      .join('; ');
    if (process.env.CI === 'true') {
      describe(title, () => {
        it('has the services it needs', () => {
          throw new Error(`CI=true and a service is missing: ${reasons}`);
        });
      });
      return;
    }
    console.warn(`SKIPPED "${title}": needs ${missing.join(', ')} (${reasons})`);
    describe.skip(title, () => body({} as ServiceUrls));
    return;
  }
  const urls = Object.fromEntries(
    SERVICE_NAMES.filter((n) => testServiceUrl(n)).map((n) => [n, testServiceUrl(n)]),
  ) as ServiceUrls;
  describe(title, () => body(urls));
}

/** The directory of the test broker's passwords, `<principal>.password` (set by the global setup). */
export const KAFKA_CREDENTIALS_VARIABLE = 'RAPPORT_TEST_KAFKA_CREDENTIALS';

/**
 * A bus URL for the test broker as one principal of `infra/kafka/acls.json`, with its
 * password file (`kafka://adapter-email@127.0.0.1:9092?passwordFile=…`), or undefined when
 * the broker's credentials are not known here.
 */
export function testKafkaPrincipalUrl(principal: string, topicPrefix = ''): string | undefined {
  const admin = testServiceUrl('kafka');
  const dir = process.env[KAFKA_CREDENTIALS_VARIABLE];
  if (!admin || !dir) return undefined;
  const file = join(dir, `${principal}.password`);
  if (!existsSync(file)) return undefined;
  const query = new URLSearchParams({
    passwordFile: file,
    ...(topicPrefix ? { topicPrefix } : {}),
  });
  return `kafka://${encodeURIComponent(principal)}@${parseKafkaBusUrl(admin).brokers.join(',')}?${query}`;
}

/**
 * A describe block that needs the test broker as other principals than the admin (their
 * passwords from `RAPPORT_TEST_KAFKA_CREDENTIALS`). Skipped with the reason where they are
 * unknown, except under CI=true, where that fails.
 */
export function describeWithKafkaPrincipals(
  principals: readonly string[],
  title: string,
  body: (
    urls: ServiceUrls,
    principalUrl: (principal: string, topicPrefix?: string) => string,
  ) => void,
): void {
  describeWithServices(['kafka'], title, (urls) => {
    const missing = principals.filter((p) => testKafkaPrincipalUrl(p) === undefined);
    if (missing.length === 0) {
      body(
        urls,
        (principal, topicPrefix) => testKafkaPrincipalUrl(principal, topicPrefix) as string,
      );
      return;
    }
    const reason = `no passwords for ${missing.join(', ')} (${KAFKA_CREDENTIALS_VARIABLE}=${
      process.env[KAFKA_CREDENTIALS_VARIABLE] ?? 'unset'
    }; the broker of infra/local/kafka.sh has them)`;
    if (process.env.CI === 'true') {
      it('has the Kafka principals it needs', () => {
        throw new Error(`CI=true and ${reason}`);
      });
      return;
    }
    console.warn(`SKIPPED "${title}": ${reason}`);
    describe.skip(title, () => body(urls, () => ''));
  });
}
