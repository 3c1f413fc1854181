import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { AdapterKeys } from '@rapport/application';
import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import { TestIssuer } from '@rapport/testing';
import request from 'supertest';
import { ADAPTER_KEY_HEADER } from '../access/access-policy';
import { loadConfig, type RapportConfig } from '../config/rapport-config';
import { AllInOneModule } from '../platform/all-in-one.module';
import { createHttpApp } from './create-http-app';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** supertest with credentials already set on every request. */
export type AuthedHttp = Pick<ReturnType<typeof request>, Method>;

/** Every staff role: the caller most specs act as (they test behaviour, not access). */
export const ALL_ROLES = ['agent', 'supervisor', 'data', 'admin'] as const;

export function withHeaders(server: unknown, headers: Record<string, string>): AuthedHttp {
  const http = request(server as Parameters<typeof request>[0]);
  const bind = (method: Method) => (url: string) => http[method](url).set(headers);
  return {
    get: bind('get'),
    post: bind('post'),
    put: bind('put'),
    patch: bind('patch'),
    delete: bind('delete'),
  };
}

let sharedIssuer: Promise<TestIssuer> | undefined;

/** One test issuer per test file (a Jest worker's module registry): started on first use. */
export function specIssuer(): Promise<TestIssuer> {
  sharedIssuer ??= TestIssuer.start();
  return sharedIssuer;
}

/** The run's personal-data keys (`test-privacy-env.ts` sets them for every spec). */
function privacyEnv(): NodeJS.ProcessEnv {
  const names = ['RAPPORT_PRIVACY', 'RAPPORT_MASTER_KEY', 'RAPPORT_IDENTITY_PEPPER'];
  return Object.fromEntries(names.filter((n) => process.env[n]).map((n) => [n, process.env[n]]));
}

/** `loadConfig` for a spec: the given environment plus trust in the spec issuer and the run's keys. */
export async function specConfig(
  env: NodeJS.ProcessEnv = {},
  overrides: Partial<RapportConfig> = {},
): Promise<RapportConfig> {
  return loadConfig({ ...privacyEnv(), ...env, ...(await specIssuer()).env() }, overrides);
}

/**
 * supertest on an app built from `specConfig`, acting as staff `staff-test` with every role
 * and sending an unrestricted adapter key created in the app.
 */
export async function authorizedHttp(app: INestApplication): Promise<AuthedHttp> {
  return withHeaders(app.getHttpServer(), (await specCredentials(app)).headers);
}

/** An unrestricted adapter key created in the app, and a token holding every role. */
async function specCredentials(app: INestApplication) {
  const issuer = await specIssuer();
  const { key } = await app.get(AdapterKeys).create('spec adapter', UNRESTRICTED_SCOPE, new Date());
  const token = await issuer.token({ roles: ALL_ROLES });
  return { key, headers: { authorization: `Bearer ${token}`, [ADAPTER_KEY_HEADER]: key } };
}

/**
 * The whole platform in process on a fresh SQLite log and memory read models, with a real
 * test issuer for staff tokens. `http` acts as staff subject `staff-test` holding every
 * role and sends an unrestricted adapter key; `anonymous` sends nothing.
 */
export async function embeddedHttpApp(overrides: Partial<RapportConfig> = {}): Promise<{
  app: INestApplication;
  http: AuthedHttp;
  anonymous: ReturnType<typeof request>;
  issuer: TestIssuer;
  adapterKey: string;
  as(headers: Record<string, string>): AuthedHttp;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-http-'));
  const config = await specConfig(
    {},
    { eventStoreUrl: `sqlite:${join(dir, 'log.db')}`, ...overrides },
  );
  const app = await createHttpApp(AllInOneModule.forRoot(config), config);
  await app.init();
  const { key, headers } = await specCredentials(app);
  const server = app.getHttpServer();
  return {
    app,
    http: withHeaders(server, headers),
    anonymous: request(server),
    issuer: await specIssuer(),
    adapterKey: key,
    as: (headers) => withHeaders(server, headers),
  };
}
