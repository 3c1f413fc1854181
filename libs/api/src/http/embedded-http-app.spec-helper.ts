import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig, type RapportConfig } from '../config/rapport-config';
import { AllInOneModule } from '../platform/all-in-one.module';
import { createHttpApp } from './create-http-app';

/** The whole platform in process on a fresh SQLite log and memory read models, with supertest. */
export async function embeddedHttpApp(
  overrides: Partial<RapportConfig> = {},
): Promise<{ app: INestApplication; http: ReturnType<typeof request> }> {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-http-'));
  const config = loadConfig({}, { eventStoreUrl: `sqlite:${join(dir, 'log.db')}`, ...overrides });
  const app = await createHttpApp(AllInOneModule.forRoot(config), config);
  await app.init();
  return { app, http: request(app.getHttpServer()) };
}
