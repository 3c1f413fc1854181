import 'reflect-metadata';
import { loadConfig, runService } from '@rapport/api';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { QueryApiModule } from './query-api.module';

const config = loadConfig();
void runService('query-api', QueryApiModule.forRoot(config), config, (app) => {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Rapport query API')
      .setDescription(
        'Unified customer timelines and customer look-up, served from the read models.',
      )
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
});
