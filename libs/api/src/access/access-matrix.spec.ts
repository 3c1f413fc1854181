import { type INestApplication } from '@nestjs/common';
import { matrixCallers, type MatrixCaller, runAccessMatrix } from '@rapport/testing';
import { loadConfig } from '../config/rapport-config';
import { type OperationObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { createOpenApiDocument } from '../http/create-http-app';
import { embeddedHttpApp } from '../http/embedded-http-app.spec-helper';
import { AllInOneModule } from '../platform/all-in-one.module';
import { routeTable } from './route-table';

const routes = routeTable(AllInOneModule.forRoot(loadConfig({})));

/**
 * Who may call what: the specification (the README's role table says the same). A new route
 * fails the first test until it is added here with its policy.
 */
const POLICIES: Record<string, string> = {
  'GET /health': 'open',
  'GET /health/live': 'open',
  'GET /health/ready': 'open',
  'GET /metrics': 'scraper',
  'POST /v1/touchpoints': 'adapter',
  'GET /v1/customers': 'agent',
  'POST /v1/customers/lookup': 'agent',
  'POST /v1/customers/search': 'agent',
  'GET /v1/customers/:id/touchpoints/:position': 'agent',
  'GET /v1/customers/:id': 'agent',
  'GET /v1/customers/:id/timeline': 'agent',
  'GET /v1/customers/:id/closeness': 'agent',
  'GET /v1/customers/:id/ideas': 'agent',
  'GET /v1/customers/:id/notes': 'agent',
  'POST /v1/customers/:id/notes': 'agent',
  'GET /v1/customers/:id/labels': 'agent',
  'POST /v1/customers/:id/labels': 'agent',
  'DELETE /v1/customers/:id/labels/:label': 'agent',
  'GET /v1/customers/:id/live': 'agent',
  'GET /v1/labels/:label/customers': 'agent',
  'GET /v1/labels/:label/closest': 'agent',
  'GET /v1/labels/:label/at-risk': 'agent',
  'GET /v1/closeness/top': 'agent',
  'GET /v1/closeness/at-risk': 'agent',
  'GET /v1/ideas': 'agent',
  'GET /v1/ideas/:id': 'agent',
  'POST /v1/ideas': 'agent',
  'POST /v1/ideas/:id/votes': 'agent',
  'DELETE /v1/ideas/:id/votes/:customerId': 'agent',
  'POST /v1/ideas/:id/comments': 'agent',
  'POST /v1/customers/:id/merge': 'supervisor',
  'POST /v1/customers/:id/unmerge': 'supervisor',
  'POST /v1/customers/:id/merge-suggestions/dismiss': 'supervisor',
  'GET /v1/merge-suggestions': 'agent',
  'POST /v1/customers/:id/identities': 'supervisor',
  'DELETE /v1/customers/:id/identities/:identity': 'supervisor',
  'POST /v1/customers/:id/identities/unlink': 'supervisor',
  'GET /v1/customers/:id/export': 'supervisor',
  'DELETE /v1/customers/:id': 'supervisor',
  'POST /v1/suppressions/lift': 'supervisor',
  'POST /v1/outbound/open': 'adapter',
  'POST /v1/ideas/:id/status': 'supervisor',
  'POST /v1/ideas/:id/merge': 'supervisor',
  'POST /v1/ideas/:id/rice': 'supervisor',
  'GET /v1/admin/projections': 'data',
  'GET /v1/admin/projections/:name': 'data',
  'POST /v1/admin/projections/:name/rebuild': 'admin',
  'POST /v1/admin/adapter-keys': 'admin',
  'GET /v1/admin/adapter-keys': 'admin',
  'POST /v1/admin/adapter-keys/:id/rotate': 'admin',
  'DELETE /v1/admin/adapter-keys/:id': 'admin',
  'GET /v1/audit': 'admin',
};

describe('access: route × principal matrix (in process, every route of the platform)', () => {
  let app: INestApplication;
  let callers: MatrixCaller[];

  beforeAll(async () => {
    const embedded = await embeddedHttpApp({ rateLimitPerMinute: 1_000_000 });
    app = embedded.app;
    callers = await matrixCallers(embedded.issuer, embedded.adapterKey);
  });
  afterAll(() => app.close());

  it('finds every route, each with the policy the specification gives it', () => {
    const declared = Object.fromEntries(
      routes.map((r) => [
        `${r.method} ${r.path}`,
        r.policy?.kind === 'staff' ? r.policy.role : (r.policy?.kind ?? 'NONE'),
      ]),
    );
    expect(declared).toEqual(POLICIES);
  });

  it('declares the security scheme and the role of every operation in OpenAPI', () => {
    const document = createOpenApiDocument(app);
    expect(Object.keys(document.components?.securitySchemes ?? {}).sort()).toEqual([
      'adapterKey',
      'staff',
    ]);
    const undeclared: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item as Record<string, OperationObject>)) {
        const key = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
        const policy = POLICIES[key];
        const declared =
          policy === 'open'
            ? operation.security === undefined
            : policy === 'adapter'
              ? JSON.stringify(operation.security) === '[{"adapterKey":[]}]'
              : JSON.stringify(operation.security) === '[{"staff":[]}]' &&
                (operation as unknown as Record<string, unknown>)['x-required-role'] === policy;
        if (!declared) undeclared.push(key);
      }
    }
    expect(undeclared).toEqual([]);
  });

  it('answers each caller on each route as its policy says', async () => {
    await app.listen(0, '127.0.0.1');
    expect(await runAccessMatrix(await app.getUrl(), routes, callers)).toEqual([]);
  });
});
