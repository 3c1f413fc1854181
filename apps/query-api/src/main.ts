import 'reflect-metadata';
import { existsSync } from 'node:fs';
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
  // The staff console at `/`, where it has been built (`npx nx run console:build`): beside
  // the sources (dist/apps/console), or beside this compiled file in an image
  // (dist/apps/query-api/src/main.js → dist/apps/console).
  const consoleDir =
    process.env.RAPPORT_CONSOLE_DIR ||
    [resolve(__dirname, '../../../dist/apps/console'), resolve(__dirname, '../../console')].find(
      (dir) => existsSync(resolve(dir, 'index.html')),
    );
  if (!consoleDir || !serveConsole(app, consoleDir, consoleClientSettings(config)))
    console.log('query-api: no console build found; serving the API alone');
});
