import 'reflect-metadata';
import { resolve } from 'node:path';
import {
  consoleClientSettings,
  createOpenApiDocument,
  loadConfig,
  runService,
  serveConsole,
} from '@rapport/api';
import { SwaggerModule } from '@nestjs/swagger';
import { QueryApiModule } from './query-api.module';

const config = loadConfig();
void runService('query-api', QueryApiModule.forRoot(config), config, (app) => {
  const document = createOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  // The staff console at `/`, where it has been built (`npx nx run console:build`).
  serveConsole(
    app,
    process.env.RAPPORT_CONSOLE_DIR || resolve(__dirname, '../../../dist/apps/console'),
    consoleClientSettings(config),
  );
});
