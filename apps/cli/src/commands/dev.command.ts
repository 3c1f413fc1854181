import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { devPrivacyEnv } from '../dev/dev-privacy-keys';
import { ConsoleLogger } from '@nestjs/common';
import {
  AllInOneModule,
  createHttpApp,
  EVENT_STORE,
  IDEA_SERVICE,
  loadConfig,
  startTracing,
  TIMELINE_PROJECTOR,
} from '@rapport/api';
import { type EventStore } from '@rapport/event-store';
import { type IdeaService, TouchpointIngestion } from '@rapport/application';
import { type RunningProjection } from '@rapport/read-models';
import { type Command, InvalidArgumentError } from 'commander';
import { AdapterKeys } from '@rapport/application';
import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import { SwaggerModule } from '@nestjs/swagger';
import { consoleClientSettings, createOpenApiDocument, serveConsole } from '@rapport/api';
import {
  CONSOLE_CLIENT_ID,
  DEV_RESOURCE,
  type DevOidcProvider,
  startDevOidcProvider,
} from '../dev/dev-oidc-provider';
import { seedDemo } from './seed-demo';

function signInHelp(
  issuer: string,
  dev: DevOidcProvider | undefined,
  adapterKey?: string,
): string[] {
  const lines = [`  sign-in:     ${issuer}${dev ? ' (development OpenID provider)' : ''}`];
  if (dev) {
    lines.push(
      '  users:       agent, supervisor, data, admin (development login page, any password)',
      '  a token:     TOKEN=$(curl -s -u <client>:<secret> -d grant_type=client_credentials \\',
      `                 -d resource=${DEV_RESOURCE} ${issuer}/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
      '               then: curl -H "Authorization: Bearer $TOKEN" …',
      ...dev.demoClients.map(
        (c) => `    ${c.role.padEnd(11)} client ${c.clientId}, secret ${c.secret}`,
      ),
    );
  }
  if (adapterKey)
    lines.push(`  adapter key: ${adapterKey}  (header x-api-key; every channel, this run only)`);
  return lines;
}

const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
const CONSOLE_BUILD = join(REPO_ROOT, 'dist', 'apps', 'console');

/** Builds the staff console when its build is missing or older than its sources (about a second). */
function buildConsoleIfStale(): void {
  spawnSync(process.execPath, [join(REPO_ROOT, 'apps', 'console', 'build-if-stale.cjs')], {
    stdio: 'inherit',
  });
}

/**
 * Where the console may sign in from: the URL printed, the same port on the other loopback
 * name, and Vite's development server (`npx nx run console:serve`, port 5173).
 */
function consoleOrigins(url: string): string[] {
  const origin = new URL(url);
  const names = ['127.0.0.1', 'localhost'].includes(origin.hostname)
    ? ['127.0.0.1', 'localhost']
    : [origin.hostname];
  return [
    ...names.map((name) => `${origin.protocol}//${name}:${origin.port}`),
    'http://localhost:5173',
    'http://127.0.0.1:5173',
  ];
}

interface DevOptions {
  port?: number;
  host?: string;
  oidcPort?: number;
  dataDir: string;
  demo?: boolean;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is a number from 0 to 65535');
  return n;
}

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description(
      'run the whole platform in one process on embedded defaults (SQLite log, in-memory read models)',
    )
    .option('-p, --port <port>', 'HTTP port (RAPPORT_PORT; default 3000, 0 picks a free one)', port)
    .option('--host <host>', 'address to listen on (RAPPORT_HOST; default 127.0.0.1)')
    .option(
      '--data-dir <dir>',
      'folder of the SQLite log when RAPPORT_EVENT_STORE is not set',
      './data',
    )
    .option('--demo', 'seed realistic multi-channel history when the log is empty')
    .option(
      '--oidc-port <port>',
      'port of the development OpenID provider when RAPPORT_OIDC_ISSUER is not set (default: the HTTP port + 1; 0 picks a free one)',
      port,
    )
    .action(async (options: DevOptions) => {
      buildConsoleIfStale();
      const external = process.env.RAPPORT_OIDC_ISSUER;
      const basePort = options.port ?? loadConfig(process.env).port;
      const devIssuer = external
        ? undefined
        : await startDevOidcProvider(options.oidcPort ?? (basePort === 0 ? 0 : basePort + 1));
      const env = devPrivacyEnv(options.dataDir, process.env);
      const config = loadConfig(
        devIssuer ? { ...env, RAPPORT_OIDC_ISSUER: devIssuer.issuer } : env,
        {
          ...(options.port === undefined ? {} : { port: options.port }),
          ...(options.host ? { host: options.host } : {}),
          ...(process.env.RAPPORT_EVENT_STORE
            ? {}
            : { eventStoreUrl: `sqlite:${join(resolve(options.dataDir), 'rapport.db')}` }),
        },
      );
      const logger = new ConsoleLogger('rapport', { logLevels: ['warn', 'error'] });
      startTracing('dev'); // when the OTEL_* variables ask for it
      const app = await createHttpApp(AllInOneModule.forRoot(config), config, logger);
      app.enableShutdownHooks();
      if (devIssuer) process.once('beforeExit', () => void devIssuer.close());
      SwaggerModule.setup('docs', app, createOpenApiDocument(app), {
        jsonDocumentUrl: 'docs/openapi.json',
      });
      const consoleServed = serveConsole(
        app,
        process.env.RAPPORT_CONSOLE_DIR || CONSOLE_BUILD,
        consoleClientSettings(
          config,
          process.env,
          devIssuer
            ? {
                clientId: CONSOLE_CLIENT_ID,
                scope: 'openid profile rapport',
                resource: DEV_RESOURCE,
              }
            : {},
        ),
      );
      await app.listen(config.port, config.host);
      const url = (await app.getUrl()).replace('[::1]', 'localhost');
      devIssuer?.allowConsole(consoleOrigins(url));

      if (options.demo) {
        await seedDemo(
          app.get<EventStore>(EVENT_STORE),
          app.get(TouchpointIngestion),
          app.get<RunningProjection>(TIMELINE_PROJECTOR),
          url,
          app.get<IdeaService>(IDEA_SERVICE),
        );
      }
      const head = await app.get<EventStore>(EVENT_STORE).headPosition();
      // In-process read models: a key for the demo adapters of this run, printed once.
      const adapterKey =
        config.readModelsUrl === 'memory'
          ? (await app.get(AdapterKeys).create('dev adapters', UNRESTRICTED_SCOPE, new Date())).key
          : undefined;
      console.log(
        [
          '',
          `Rapport is listening on ${url}`,
          consoleServed
            ? `  console:     ${url}/ (staff sign in${devIssuer ? ' as agent, supervisor, data or admin' : ''})`
            : '  console:     not built (node apps/console/build-if-stale.cjs)',
          `  event log:   ${config.eventStoreUrl} (${head} events)`,
          `  read models: ${config.readModelsUrl}`,
          `  try:         curl -s ${url}/health`,
          `  docs:        ${url}/docs — POST /v1/touchpoints (adapter key), GET /v1/customers/<id>/timeline (token)`,
          ...signInHelp(config.oidc?.issuer ?? '', devIssuer, adapterKey),
          '',
        ].join('\n'),
      );
    });
}
