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
import { seedDemo } from './seed-demo';

interface DevOptions {
  port?: number;
  host?: string;
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
    .action(async (options: DevOptions) => {
      const config = loadConfig(process.env, {
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.host ? { host: options.host } : {}),
        ...(process.env.RAPPORT_EVENT_STORE
          ? {}
          : { eventStoreUrl: `sqlite:${join(resolve(options.dataDir), 'rapport.db')}` }),
      });
      const logger = new ConsoleLogger('rapport', { logLevels: ['warn', 'error'] });
      const app = await createHttpApp(AllInOneModule.forRoot(config), config, logger);
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
      console.log(
        [
          '',
          `Rapport is listening on ${url}`,
          `  event log:   ${config.eventStoreUrl} (${head} events)`,
          `  read models: ${config.readModelsUrl}`,
          `  try:         curl -s ${url}/health`,
          `  docs:        README.md — POST ${url}/v1/touchpoints, GET ${url}/v1/customers/<id>/timeline`,
          '',
        ].join('\n'),
      );
    });
}
