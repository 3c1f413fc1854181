import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';
import { AllInOneModule } from '../platform/all-in-one.module';
import { createHttpApp, createOpenApiDocument } from './create-http-app';
import { ProblemResponse } from './openapi-responses';
import { specConfig } from './embedded-http-app.spec-helper';

type Schema = { $ref?: string; oneOf?: Schema[]; [key: string]: unknown };
type Response = { content?: Record<string, { schema?: Schema }> };

const PROBLEM = getSchemaPath(ProblemResponse);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

describe('OpenAPI document: every route says what it answers', () => {
  let app: INestApplication;
  let document: OpenAPIObject;
  let operations: { name: string; responses: Record<string, Response> }[];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-openapi-'));
    const config = await specConfig({}, { eventStoreUrl: `sqlite:${join(dir, 'log.db')}` });
    app = await createHttpApp(AllInOneModule.forRoot(config), config);
    await app.init();
    document = createOpenApiDocument(app);
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => ({
        name: `${method.toUpperCase()} ${path}`,
        responses: item[method]?.responses as Record<string, Response>,
      })),
    );
  });
  afterAll(() => app.close());

  it('covers the whole platform', () => {
    const names = operations.map((o) => o.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /health',
        'POST /v1/touchpoints',
        'GET /v1/customers/{id}/timeline',
        'POST /v1/ideas',
        'GET /v1/closeness/top',
        'POST /v1/admin/projections/{name}/rebuild',
      ]),
    );
  });

  it('gives every operation a 2xx answer with a JSON schema', () => {
    const without = operations
      .filter(
        ({ responses }) =>
          !Object.entries(responses).some(
            ([status, response]) =>
              /^2\d\d$/.test(status) && response.content?.['application/json']?.schema,
          ),
      )
      .map((o) => o.name);
    expect(without).toEqual([]);
  });

  it('answers every 4xx with the problem schema', () => {
    const refersToProblem = (schema: Schema | undefined) =>
      schema?.$ref === PROBLEM || (schema?.oneOf ?? []).some((s) => s.$ref === PROBLEM);
    const without = operations.flatMap(({ name, responses }) =>
      Object.entries(responses)
        .filter(([status]) => /^4\d\d$/.test(status))
        .filter(
          ([, response]) =>
            !Object.values(response.content ?? {}).some((media) => refersToProblem(media.schema)),
        )
        .map(([status]) => `${name} ${status}`),
    );
    expect(without).toEqual([]);
    expect(document.components?.schemas).toHaveProperty(['ProblemResponse']);
  });

  it('defines every schema it refers to', () => {
    const refs = new Set<string>();
    JSON.stringify(document, (key, value: unknown) => {
      if (key === '$ref' && typeof value === 'string') refs.add(value);
      return value;
    });
    const prefix = '#/components/schemas/';
    const missing = [...refs].filter(
      (ref) => !ref.startsWith(prefix) || !document.components?.schemas?.[ref.slice(prefix.length)],
    );
    expect(missing).toEqual([]);
  });
});
