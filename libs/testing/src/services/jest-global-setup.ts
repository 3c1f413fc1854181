import { obtainService } from './obtain-service';
import { SERVICE_NAMES } from './service-probes';
import { serviceMissingVariable, serviceUrlVariable } from './test-services';

declare global {
  var __rapportServiceStops: (() => Promise<void>)[] | undefined;
}

/**
 * Jest global setup: finds (or starts) Kafka, Redis and PostgreSQL once for the whole
 * run and hands their URLs to the test files through the environment. Under CI=true a
 * missing service fails the run here. `RAPPORT_TEST_SERVICES=none` looks for none.
 */
export default async function globalSetup(): Promise<void> {
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
      log(`${name}: ${result.url} (${result.origin})`);
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
