import { join, resolve } from 'node:path';
import { ConsoleLogger } from '@nestjs/common';
import {
  AllInOneModule,
  createHttpApp,
  EVENT_STORE,
  loadConfig,
  TIMELINE_PROJECTOR,
} from '@rapport/api';
import { type EventStore } from '@rapport/event-store';
import { TouchpointIngestion } from '@rapport/application';
import { type RunningProjection } from '@rapport/read-models';
import { type Command, InvalidArgumentError } from 'commander';
import { AdapterKeys } from '@rapport/application';
import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import { SwaggerModule } from '@nestjs/swagger';
import { createOpenApiDocument } from '@rapport/api';
import { DEV_RESOURCE, type DevOidcProvider, startDevOidcProvider } from '../dev/dev-oidc-provider';
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
      const external = process.env.RAPPORT_OIDC_ISSUER;
      const basePort = options.port ?? loadConfig(process.env).port;
      const devIssuer = external
        ? undefined
        : await startDevOidcProvider(options.oidcPort ?? (basePort === 0 ? 0 : basePort + 1));
      const config = loadConfig(
        devIssuer ? { ...process.env, RAPPORT_OIDC_ISSUER: devIssuer.issuer } : process.env,
        {
          ...(options.port === undefined ? {} : { port: options.port }),
          ...(options.host ? { host: options.host } : {}),
          ...(process.env.RAPPORT_EVENT_STORE
            ? {}
            : { eventStoreUrl: `sqlite:${join(resolve(options.dataDir), 'rapport.db')}` }),
        },
      );
      const logger = new ConsoleLogger('rapport', { logLevels: ['warn', 'error'] });
      const app = await createHttpApp(AllInOneModule.forRoot(config), config, logger);
      app.enableShutdownHooks();
      if (devIssuer) process.once('beforeExit', () => void devIssuer.close());
      SwaggerModule.setup('docs', app, createOpenApiDocument(app), {
        jsonDocumentUrl: 'docs/openapi.json',
      });
      await app.listen(config.port, config.host);
      const url = (await app.getUrl()).replace('[::1]', 'localhost');

      if (options.demo) {
        await seedDemo(
          app.get<EventStore>(EVENT_STORE),
          app.get(TouchpointIngestion),
          app.get<RunningProjection>(TIMELINE_PROJECTOR),
          url,
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
