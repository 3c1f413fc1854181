import { SERVICE_NAMES, type ServiceName } from './service-probes';

/** Environment variables the Jest global setup uses to hand services to the test files. */
export const serviceUrlVariable = (name: ServiceName) => `RAPPORT_TEST_${name.toUpperCase()}_URL`;
export const serviceMissingVariable = (name: ServiceName) =>
  `RAPPORT_TEST_${name.toUpperCase()}_MISSING`;

export type ServiceUrls = Record<ServiceName, string>;

/** The URL of a service the global setup found, or undefined. */
export function testServiceUrl(name: ServiceName): string | undefined {
  return process.env[serviceUrlVariable(name)] || undefined;
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
      .map((n) => `${n}: ${process.env[serviceMissingVariable(n)] ?? 'not looked for'}`)
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
