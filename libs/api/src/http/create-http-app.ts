import { type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { type NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  ADAPTER_KEY_HEADER,
  ADAPTER_SECURITY_SCHEME,
  STAFF_SECURITY_SCHEME,
} from '../access/access-policy';
import { type RapportConfig } from '../config/rapport-config';
import { problem } from './problem';
import { ProblemFilter } from './problem.filter';
import { RapportExpressAdapter } from './rapport-express-adapter';

/** JSON media types the API reads: plain JSON and the CloudEvents structured and batch modes. */
export const JSON_MEDIA_TYPES = [
  'application/json',
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
];

/**
 * Creates the HTTP application: bounded JSON bodies (413 past the limit, 400 for
 * malformed JSON, both as problem details), problem details for every error, no ETags.
 */
export async function createHttpApp(
  module: unknown,
  config: RapportConfig,
  logger: LoggerService | false = false,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    module as never,
    new RapportExpressAdapter(),
    { bodyParser: false, logger },
  );
  // Every answer is fresh from the read models: an ETag would only cost a hash of each body.
  app.set('etag', false);
  app.disable('x-powered-by');
  app.use(express.json({ limit: config.maxBodyBytes, type: JSON_MEDIA_TYPES, strict: true }));
  app.use(
    (
      error: { status?: number; type?: string; message: string },
      _req: Request,
      res: Response,
      next: NextFunction,
    ) => {
      if (error.type === 'entity.too.large') {
        return void res
          .status(413)
          .type('application/problem+json')
          .json(problem(413, `the request body is larger than ${config.maxBodyBytes} bytes`));
      }
      if (error.type === 'entity.parse.failed') {
        return void res
          .status(400)
          .type('application/problem+json')
          .json(problem(400, `the body is not valid JSON: ${error.message}`));
      }
      if (error.status && error.status >= 400 && error.status < 500) {
        return void res
          .status(error.status)
          .type('application/problem+json')
          .json(problem(error.status, error.message));
      }
      next(error);
    },
  );
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  return app;
}

/** The OpenAPI document the query API serves at `/docs`. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Rapport query API')
      .setDescription(
        'Unified customer timelines and customer look-up, served from the read models.',
      )
      .setVersion('1')
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'a staff access token from the OpenID issuer (RAPPORT_OIDC_ISSUER); each operation names its role in x-required-role',
        },
        STAFF_SECURITY_SCHEME,
      )
      .addApiKey(
        {
          type: 'apiKey',
          in: 'header',
          name: ADAPTER_KEY_HEADER,
          description: 'a channel adapter key',
        },
        ADAPTER_SECURITY_SCHEME,
      )
      .build(),
  );
}
