import { existsSync } from 'node:fs';
// eslint-disable-next-line @nx/enforce-module-boundaries -- see service-probes.ts
import { redactBusUrl } from '../../../messaging/src/kafka/kafka-bus-url';
import { ensureTestPrivacyEnv } from '../privacy/privacy-env';
import { obtainService } from './obtain-service';
import { localKafkaCredentialsDir, SERVICE_NAMES } from './service-probes';
import {
  KAFKA_CREDENTIALS_VARIABLE,
  serviceMissingVariable,
  serviceUrlVariable,
} from './test-services';

declare global {
  var __rapportServiceStops: (() => Promise<void>)[] | undefined;
}

/**
 * Jest global setup: finds (or starts) Kafka, Redis and PostgreSQL once for the whole
 * run and hands their URLs to the test files through the environment. Under CI=true a
 * missing service fails the run here. `RAPPORT_TEST_SERVICES=none` looks for none.
 *
 * The local Kafka (`infra/local/kafka.sh`) takes only SASL/SCRAM clients: its URL carries
 * the local admin's credentials (`kafka://admin:<password>@127.0.0.1:9092`), and
 * `RAPPORT_TEST_KAFKA_CREDENTIALS` names the directory of every principal's password, for
 * the tests of what the other principals may do. Printed URLs never show a password.
 */
export default async function globalSetup(): Promise<void> {
  ensureTestPrivacyEnv();
  const wanted = process.env.RAPPORT_TEST_SERVICES === 'none' ? [] : SERVICE_NAMES;
  globalThis.__rapportServiceStops = [];
  const log = (line: string) => process.stderr.write(`[services] ${line}\n`);
  const results = await Promise.all(
    wanted.map(async (name) => [name, await obtainService(name, log)] as const),
  );
  const missing: string[] = [];
  for (const [name, result] of results) {
    if (result.ok) {
      process.env[serviceUrlVariable(name)] = result.url;
      globalThis.__rapportServiceStops.push(() => result.stop());
      log(`${name}: ${redactBusUrl(result.url)} (${result.origin})`);
      const credentials = localKafkaCredentialsDir();
      if (
        name === 'kafka' &&
        (result.origin === 'default-port' || result.origin === 'local-script') &&
        !process.env[KAFKA_CREDENTIALS_VARIABLE] &&
        existsSync(credentials)
      )
        process.env[KAFKA_CREDENTIALS_VARIABLE] = credentials;
    } else {
      process.env[serviceMissingVariable(name)] = result.reason;
      missing.push(`${name}: ${result.reason}`);
      log(`${name}: MISSING — ${result.reason}`);
    }
  }
  for (const name of SERVICE_NAMES.filter((n) => !wanted.includes(n))) {
    process.env[serviceMissingVariable(name)] = 'RAPPORT_TEST_SERVICES=none';
  }
  if (process.env.CI === 'true' && missing.length > 0) {
    throw new Error(
      `CI=true: the integration tests need real services, and these are missing:\n  ${missing.join('\n  ')}`,
    );
  }
}
