import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { loadConfig } from '../config/rapport-config';
import { consoleClientSettings, serveConsole } from './serve-console';

@Controller('v1/things')
class ThingsController {
  @Get()
  list() {
    return { things: [] };
  }
}

@Module({ controllers: [ThingsController] })
class TinyApiModule {}

function consoleBuild(): string {
  const root = mkdtempSync(join(tmpdir(), 'rapport-console-build-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Rapport console</title>');
  writeFileSync(join(root, 'assets', 'app-1234.js'), 'console.log(1)');
  return root;
}

describe('serveConsole', () => {
  let app: INestApplication;
  const config = loadConfig({ RAPPORT_OIDC_ISSUER: 'https://sso.example.com/realms/acme' });

  beforeAll(async () => {
    app = await NestFactory.create(TinyApiModule, { logger: false });
    const settings = consoleClientSettings(config, { RAPPORT_CONSOLE_RESOURCE: 'urn:x' });
    expect(serveConsole(app, consoleBuild(), settings)).toBe(true);
    await app.init();
  });

  afterAll(() => app.close());

  it('serves the app at / and at any page a browser asks for', async () => {
    for (const path of ['/', '/customers/6f6c960d-e86f-5e62-8ccd-6c96837a0483', '/callback']) {
      const res = await request(app.getHttpServer()).get(path).set('accept', 'text/html');
      expect(res.status).toBe(200);
      expect(res.text).toContain('Rapport console');
    }
    const page = await request(app.getHttpServer()).get('/').set('accept', 'text/html');
    expect(page.headers['content-security-policy']).toContain(
      "connect-src 'self' https://sso.example.com",
    );
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const asset = await request(app.getHttpServer()).get('/assets/app-1234.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await request(app.getHttpServer()).get('/assets/missing.js')).status).toBe(404);
  });

  it('leaves the API alone: its routes answer, unknown API paths are not the app', async () => {
    const things = await request(app.getHttpServer()).get('/v1/things').set('accept', 'text/html');
    expect(things.body).toEqual({ things: [] });
    for (const path of ['/v1/nothing', '/docs/nothing', '/health/nothing', '/metrics']) {
      const res = await request(app.getHttpServer()).get(path).set('accept', 'text/html');
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('Rapport console');
    }
    const json = await request(app.getHttpServer())
      .get('/somewhere')
      .set('accept', 'application/json');
    expect(json.status).toBe(404);
  });

  it('tells the app where staff sign in, and nothing secret', async () => {
    const res = await request(app.getHttpServer()).get('/console-config.json');
    expect(res.body).toEqual({
      issuer: 'https://sso.example.com/realms/acme',
      clientId: 'rapport-console',
      scope: 'openid profile',
      rolesClaim: 'roles',
      resource: 'urn:x',
    });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('serves nothing without a build, and says when no issuer is configured', async () => {
    const bare = await NestFactory.create(TinyApiModule, { logger: false });
    expect(serveConsole(bare, mkdtempSync(join(tmpdir(), 'rapport-no-build-')), undefined)).toBe(
      false,
    );
    await bare.close();
    const noIssuer = await NestFactory.create(TinyApiModule, { logger: false });
    expect(consoleClientSettings(loadConfig({}))).toBeUndefined();
    serveConsole(noIssuer, consoleBuild(), undefined);
    await noIssuer.init();
    expect((await request(noIssuer.getHttpServer()).get('/console-config.json')).status).toBe(503);
    await noIssuer.close();
  });
});
