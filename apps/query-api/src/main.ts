import 'reflect-metadata';
import { createOpenApiDocument, loadConfig, runService } from '@rapport/api';
import { SwaggerModule } from '@nestjs/swagger';
import { QueryApiModule } from './query-api.module';

const config = loadConfig();
void runService('query-api', QueryApiModule.forRoot(config), config, (app) => {
  const document = createOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
});
