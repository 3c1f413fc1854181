import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { type RapportConfig } from '../config/rapport-config';

/** What the console reads at `/console-config.json`: where staff sign in (nothing secret). */
export interface ConsoleClientSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly scope: string;
  readonly resource?: string;
  readonly rolesClaim: string;
}

/** Paths the console never answers: the API's own, and what operators scrape. */
const API_PATHS = /^\/(v1|docs|health|metrics)(\/|$)/;

/** The console's settings from `RAPPORT_CONSOLE_*` and the API's OpenID settings. */
export function consoleClientSettings(
  config: RapportConfig,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<ConsoleClientSettings> = {},
): ConsoleClientSettings | undefined {
  if (!config.oidc) return undefined;
  const resource = overrides.resource ?? env.RAPPORT_CONSOLE_RESOURCE?.trim();
  return {
    issuer: config.oidc.issuer,
    clientId: env.RAPPORT_CONSOLE_CLIENT_ID?.trim() || 'rapport-console',
    scope: env.RAPPORT_CONSOLE_SCOPE?.trim() || 'openid profile',
    rolesClaim: config.oidc.rolesClaim,
    ...overrides,
    ...(resource ? { resource } : {}),
  };
}

/**
 * Serves the staff console's build (`dist/apps/console`) at `/`: its files, its settings at
 * `/console-config.json`, and `index.html` for any other page a browser asks for (the
 * console routes in the browser). API paths are never answered here. Plain Express
 * middleware, outside the route table: nothing here says anything about a customer.
 * Answers whether the console is served (false: no build in `root`).
 */
export function serveConsole(
  app: INestApplication,
  root: string,
  settings: ConsoleClientSettings | undefined,
): boolean {
  const index = join(root, 'index.html');
  if (!existsSync(index)) return false;
  const securityHeaders = consoleSecurityHeaders(settings);
  app.use('/console-config.json', (_req: Request, res: Response) => {
    if (!settings) {
      res
        .status(503)
        .type('application/problem+json')
        .json({ status: 503, title: 'no OpenID issuer is configured (RAPPORT_OIDC_ISSUER)' });
      return;
    }
    res.set('cache-control', 'no-store').json(settings);
  });
  app.use(
    '/assets',
    express.static(join(root, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }),
  );
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (
      (req.method !== 'GET' && req.method !== 'HEAD') ||
      API_PATHS.test(req.path) ||
      /\.[a-z0-9]+$/i.test(req.path) ||
      !req.accepts('html')
    )
      return next();
    res.set({ 'cache-control': 'no-cache', ...securityHeaders }).sendFile(index);
  });
  return true;
}

/**
 * The page's own scripts only, API calls to this origin and the issuer, no framing, no
 * referrer (the sign-in callback's URL carries a code). Inline style attributes are allowed:
 * the charts size their bars with them.
 */
export function consoleSecurityHeaders(
  settings: ConsoleClientSettings | undefined,
): Record<string, string> {
  let issuer = '';
  try {
    issuer = settings ? new URL(settings.issuer).origin : '';
  } catch {
    issuer = '';
  }
  return {
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      `connect-src 'self'${issuer ? ` ${issuer}` : ''}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "object-src 'none'",
    ].join('; '),
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  };
}
