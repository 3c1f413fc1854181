import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import type request from 'supertest';
import { untilPasses, platformCustomerIdFor } from '@rapport/testing';
import { loadConfig } from '../config/rapport-config';
import { AllInOneModule } from '../platform/all-in-one.module';
import { controllersOf } from '../access/route-table';
import { createHttpApp } from './create-http-app';
import { type AuthedHttp, authorizedHttp, specConfig } from './embedded-http-app.spec-helper';

/**
 * Property-based fuzzing of every HTTP route (but `POST /v1/touchpoints`, fuzzed with the
 * ingestion): hostile path params, query strings and bodies, sent in-process through the
 * real app on the embedded defaults. Whatever comes in, the answer is never a 5xx, and
 * every 4xx is a problem+json body with status, title and detail.
 *
 * Routes are discovered from the controllers' Nest metadata, and bodies are derived from the
 * class-validator rules of each route's DTO (the class its `DtoPipe`, parameter type or
 * `@ApiBody` names), so a new route or DTO is fuzzed without editing this file.
 *
 * RAPPORT_FUZZ_RUNS (default 60 per route) runs longer; RAPPORT_FUZZ_STATS=1 prints what each
 * route answered how often; RAPPORT_FUZZ_EVENT_STORE / RAPPORT_FUZZ_READ_MODELS fuzz other
 * backends than the embedded ones (PostgreSQL refuses things SQLite takes: a NUL in an id).
 */

const RUNS_PER_ROUTE = Number(process.env.RAPPORT_FUZZ_RUNS) || 60;
/** A request left unanswered is a flaw too. */
const ANSWER_WITHIN_MS = 5000;
const EXCLUDED = new Set(['POST /v1/touchpoints']);
const API_PARAMETERS = 'swagger/apiParameters';
// RouteParamtypes (not exported by @nestjs/common's index): BODY 3, QUERY 4, PARAM 5.
const BODY = 3;
const QUERY = 4;

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Class = abstract new (...args: never[]) => object;

interface Route {
  readonly method: Method;
  readonly path: string;
  readonly params: readonly string[];
  readonly queryKeys: readonly string[];
  readonly queryValues: readonly string[];
  readonly body?: Class;
}

const METHODS: Partial<Record<RequestMethod, Method>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.DELETE]: 'delete',
};

/* ----------------------------- route discovery ----------------------------- */

const rulesOf = (cls: Class) =>
  getMetadataStorage().getTargetValidationMetadatas(cls as never, '', false, false);

const isDto = (value: unknown): value is Class =>
  typeof value === 'function' && rulesOf(value as Class).length > 0;

/** A DTO class a pipe holds (`new DtoPipe(Cls)` and the like), if any. */
function dtoOfPipe(pipe: unknown): Class | undefined {
  if (isDto(pipe)) return pipe;
  if (typeof pipe !== 'object' || pipe === null) return undefined;
  return Object.values(pipe).find(isDto);
}

type Controller = new (...args: never[]) => object;

/** The controllers of a module and of every module it imports (static and dynamic ones). */

interface RouteArg {
  readonly index: number;
  readonly data?: unknown;
  readonly pipes?: unknown[];
}

interface SwaggerParam {
  readonly in?: string;
  readonly name?: string;
  readonly type?: unknown;
  readonly enum?: unknown;
  readonly example?: unknown;
}

/** Every route of these controllers: method, path, and what its params, query and body take. */
function discoverRoutes(controllers: readonly Controller[]): Route[] {
  const routes: Route[] = [];
  for (const controller of new Set(controllers)) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const sub: unknown = Reflect.getMetadata(PATH_METADATA, handler);
      const method = METHODS[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      if (sub === undefined || !method) continue;
      const path = `/${[base, String(sub)]
        .map((p) => p.replace(/^\/+|\/+$/g, ''))
        .filter(Boolean)
        .join('/')}`;
      if (EXCLUDED.has(`${method.toUpperCase()} ${path}`)) continue;
      const args = Object.entries(
        (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<
          string,
          RouteArg
        >,
      );
      const argsOf = (type: number) =>
        args.filter(([key]) => Number(key.split(':')[0]) === type).map(([, arg]) => arg);
      const types = (Reflect.getMetadata('design:paramtypes', proto, name) ?? []) as unknown[];
      const swagger = (Reflect.getMetadata(API_PARAMETERS, handler) ?? []) as SwaggerParam[];
      // The DTO of an argument: the one its pipe validates, or its declared type.
      const dtoOf = (arg: RouteArg) =>
        (arg.pipes ?? []).map(dtoOfPipe).find(Boolean) ??
        (isDto(types[arg.index]) ? (types[arg.index] as Class) : undefined);

      const body =
        argsOf(BODY).map(dtoOf).find(Boolean) ??
        (swagger.find((p) => p.in === 'body' && isDto(p.type))?.type as Class | undefined);
      const queryKeys = new Set<string>();
      const queryValues = new Set<string>();
      for (const arg of argsOf(QUERY)) {
        if (typeof arg.data === 'string') queryKeys.add(arg.data);
        const dto = dtoOf(arg);
        if (dto) for (const rule of rulesOf(dto)) queryKeys.add(rule.propertyName);
      }
      for (const p of swagger.filter((p) => p.in === 'query' && p.name)) {
        queryKeys.add(p.name as string);
        for (const value of Array.isArray(p.enum) ? p.enum : []) queryValues.add(String(value));
        if (typeof p.example === 'string') queryValues.add(p.example);
      }
      routes.push({
        method,
        path,
        params: [...path.matchAll(/:(\w+)/g)].map((m) => m[1]),
        queryKeys: [...queryKeys],
        queryValues: [...queryValues],
        ...(body ? { body } : {}),
      });
    }
  }
  return routes;
}

/* ------------------------------- generators -------------------------------- */

/** Ids that exist once `beforeAll` ran, so generated requests also get past the id checks. */
const good = { customerId: '', otherCustomerId: '', ideaId: '' };
const goodValues = () => [
  good.customerId,
  good.otherCustomerId,
  good.ideaId,
  'email:ann@example.com',
  'timeline',
  'agent-7',
];

const HUGE = 'x'.repeat(120_000);
const HUGE_UNICODE = '💥'.repeat(30_000);

const weirdStrings = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800', // a lone high surrogate
  'a\udc00b', // a lone low surrogate
  '\udfff\ud800',
  '\ufeff',
  '\u202e',
  '𝒜𝒷𝒸',
  'e\u0301',
  '../../etc/passwd',
  '%00',
  '{}',
  '[]',
  'null',
  'true',
  '1e999',
  '-0',
  'NaN',
  '__proto__',
  '<script>',
  "' OR 1=1 --",
  'x'.repeat(5000),
);

const junkKeys = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '', ' ', 'a.b', '$where'),
  fc.string({ maxLength: 8 }),
);

const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 0.5, -0.000001, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, 1e21),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  weirdStrings,
  fc.constantFrom(HUGE, HUGE_UNICODE),
);

/** Any JSON value, leaning on the awkward ones. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: leaf },
  { weight: 1, arbitrary: fc.array(leaf, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(junkKeys, leaf, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constant(deep(300)) },
);

function deep(depth: number): unknown {
  let value: unknown = {};
  for (let i = 0; i < depth; i += 1) value = i % 2 ? { a: value } : [value];
  return value;
}

/** An object with these own keys, `__proto__` included as a plain key. */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries)
    if (value !== undefined)
      Object.defineProperty(out, key, { value, enumerable: true, writable: true });
  return out;
}

/** A plausible value for a DTO property, from its class-validator rules. */
function plausible(cls: Class, property: string, depth: number): fc.Arbitrary<unknown> {
  const rules = rulesOf(cls).filter((r) => r.propertyName === property);
  const has = (name: string) => rules.find((r) => r.name === name);
  const nested = rules.find((r) => r.type === 'nestedValidation');
  const type = defaultMetadataStorage.findTypeMetadata(cls as never, property);
  if (nested && type && depth < 4) {
    const inner = dtoLike(type.typeFunction() as Class, depth + 1);
    return nested.each ? fc.array(inner, { maxLength: 3 }) : inner;
  }
  const isIn = has('isIn');
  if (isIn) return fc.constantFrom(...(isIn.constraints[0] as unknown[]));
  if (has('isUuid')) return fc.oneof(fc.uuid(), fc.constantFrom(...goodValues()));
  if (has('isInt')) return fc.oneof(fc.nat(5), fc.integer());
  if (has('isNumber')) return fc.oneof(fc.nat(10), fc.double({ noNaN: true }));
  if (has('isBoolean')) return fc.boolean();
  return fc.oneof(
    fc.constantFrom(...goodValues()),
    fc.string({ minLength: 1, maxLength: 20 }),
    fc.emailAddress(),
  );
}

/**
 * An object shaped like the DTO, plus now and then junk keys: every field plausible (the
 * optional ones at times left out); or all but one, that one hostile or missing; or each
 * field anything.
 */
function dtoLike(cls: Class, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const properties = [...new Set(rulesOf(cls).map((r) => r.propertyName))];
  if (properties.length === 0) return fc.constant({});
  const plausibleFields = fc.tuple(
    ...properties.map((p) =>
      fc.oneof(
        { weight: 5, arbitrary: plausible(cls, p, depth) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
    ),
  );
  const oneSpoilt = fc
    .tuple(
      plausibleFields,
      fc.nat(properties.length - 1),
      fc.oneof(weirdStrings, hostile, fc.constant(undefined)),
    )
    .map(([values, i, value]) => values.map((v, j) => (j === i ? value : v)));
  const anything = fc.tuple(
    ...properties.map((p) =>
      fc.oneof(
        { weight: 3, arbitrary: plausible(cls, p, depth) },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 2, arbitrary: hostile },
      ),
    ),
  );
  return fc
    .tuple(
      fc.oneof(
        { weight: 3, arbitrary: plausibleFields },
        { weight: 3, arbitrary: oneSpoilt },
        { weight: 2, arbitrary: anything },
      ),
      fc.oneof(
        { weight: 6, arbitrary: fc.constant([] as [string, unknown][]) },
        { weight: 1, arbitrary: fc.array(fc.tuple(junkKeys, hostile), { maxLength: 2 }) },
      ),
    )
    .map(([values, extra]) =>
      objectOf([...properties.map((p, i): [string, unknown] => [p, values[i]]), ...extra]),
    );
}

type Body =
  | { readonly kind: 'none' }
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'raw'; readonly contentType: string; readonly text: string };

const rawBodies = fc.constantFrom<Body>(
  { kind: 'raw', contentType: 'application/json', text: '{' },
  { kind: 'raw', contentType: 'application/json', text: '{"a":' },
  { kind: 'raw', contentType: 'application/json', text: '{"a":1,}' },
  { kind: 'raw', contentType: 'application/json', text: '[1,' },
  { kind: 'raw', contentType: 'application/json', text: 'nul' },
  { kind: 'raw', contentType: 'application/json', text: '"a string"' },
  { kind: 'raw', contentType: 'application/json', text: '42' },
  { kind: 'raw', contentType: 'application/json', text: '{"a":1} trailing' },
  { kind: 'raw', contentType: 'application/json', text: '\u0000' },
  { kind: 'raw', contentType: 'application/json', text: '{"__proto__":{"polluted":1}}' },
  { kind: 'raw', contentType: 'application/json', text: '{"a":"\\ud800"}' },
  { kind: 'raw', contentType: 'application/json', text: '{"a":"\\u0000"}' },
  { kind: 'raw', contentType: 'application/json; charset=utf-16', text: '{}' },
  { kind: 'raw', contentType: 'application/json; charset=latin1', text: '{}' },
  { kind: 'raw', contentType: 'application/cloudevents+json', text: '{}' },
  { kind: 'raw', contentType: 'text/plain', text: 'hello' },
  { kind: 'raw', contentType: 'application/x-www-form-urlencoded', text: 'a=1&a=2' },
);

function bodyArb(route: Route): fc.Arbitrary<Body> {
  const json = (value: fc.Arbitrary<unknown>) =>
    value.map((v): Body => ({ kind: 'json', value: v }));
  const shaped = route.body ? dtoLike(route.body) : fc.constant({});
  return fc.oneof(
    { weight: 8, arbitrary: json(shaped) },
    { weight: 1, arbitrary: json(shaped.map((dto) => [dto])) },
    { weight: 2, arbitrary: json(hostile) },
    { weight: 1, arbitrary: rawBodies },
    { weight: 1, arbitrary: fc.constant<Body>({ kind: 'none' }) },
  );
}

/** Percent-encodes like a browser (a lone surrogate leaves as U+FFFD, as in UTF-8 it must). */
function encode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** Already encoded: broken escapes and bytes that are not UTF-8. */
const brokenEncodings = fc.constantFrom('%', '%zz', '%E', '%ED%A0%80', '%FF', '%C0%AF', '%00', '+');

/** Path params that exist (so requests get past the id checks), by route and name. */
function goodParams(path: string, param: string): string[] {
  if (param === 'identity') return ['email%3Aann%40example.com', 'email:bob@example.com'];
  if (param === 'name') return ['timeline', 'closeness', 'ideas', 'identity-resolution'];
  if (param === 'id' && path.startsWith('/v1/ideas')) return [good.ideaId];
  if (param === 'id' || param === 'customerId') return [good.customerId, good.otherCustomerId];
  return goodValues();
}

function pathSegment(good: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...good) },
    { weight: 2, arbitrary: fc.uuid().map(encode) },
    {
      weight: 3,
      arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map(encode),
    },
    { weight: 2, arbitrary: weirdStrings.filter((s) => s.length > 0).map(encode) },
    { weight: 2, arbitrary: brokenEncodings },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '..',
        '.',
        '%2F',
        'a%2Fb',
        '%2e%2e',
        'x'.repeat(3000),
        '00000000-0000-0000-0000-000000000000',
        '6F1B0C8E-2D7A-4E35-8A41-93C2D5E7B0F4',
        'email%3Aann%40example.com',
        'social%3Ainstagram%3A',
        'phone%3A%2B4930123456',
      ),
    },
  );
}

function queryArb(route: Route): fc.Arbitrary<string> {
  const known = route.queryKeys.length ? route.queryKeys : ['q'];
  const key = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...known).map(encode) },
    { weight: 1, arbitrary: junkKeys.map(encode) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...known), fc.constantFrom('[]', '[x]', '[0]', '[a][b]', '.x'))
        .map(([k, suffix]) => `${encode(k)}${suffix}`),
    },
  );
  const plausibleValue = fc
    .constantFrom(
      ...route.queryValues,
      ...goodValues(),
      '1',
      '20',
      '0',
      '-1',
      '1.5',
      '1e3',
      '1e309',
      '99999999999999999999',
      '30d',
      '12h',
      'P30D',
      'PT12H',
      '99999d',
      '2026-06-01T12:00:00Z',
      '2026-06-01T12:00:00+25:00',
      '2999-01-01T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '2026-02-30T00:00:00Z',
      'new,under_review',
      'new,,',
      ',',
      'email,chat',
      'inbound',
    )
    .map(encode);
  const value = fc.oneof(
    { weight: 6, arbitrary: plausibleValue },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map(encode) },
    { weight: 2, arbitrary: weirdStrings.map(encode) },
    { weight: 1, arbitrary: brokenEncodings },
  );
  const pair = fc.tuple(key, value).map(([k, v]) => `${k}=${v}`);
  // Each known key at most once, with a plausible value: what a client sends.
  const plausible = fc
    .subarray([...known])
    .chain((keys) => fc.tuple(...keys.map((k) => plausibleValue.map((v) => `${encode(k)}=${v}`))))
    .map((pairs) => pairs.join('&'));
  const hostileQuery = fc
    .tuple(
      fc.array(fc.oneof({ weight: 6, arbitrary: pair }, { weight: 1, arbitrary: key }), {
        maxLength: 5,
      }),
      fc.boolean(),
    )
    .map(([pairs, repeat]) => (repeat && pairs.length ? [...pairs, pairs[0]] : pairs).join('&'));
  return fc.oneof(plausible, hostileQuery);
}

interface Probe {
  readonly params: readonly string[];
  readonly query: string;
  readonly body: Body;
}

function probeArb(route: Route): fc.Arbitrary<Probe> {
  return fc.record({
    params: fc.tuple(...route.params.map((p) => pathSegment(goodParams(route.path, p)))),
    query: fc.oneof(
      { weight: 1, arbitrary: fc.constant('') },
      { weight: 4, arbitrary: queryArb(route) },
    ),
    body: route.method === 'get' ? fc.constant<Body>({ kind: 'none' }) : bodyArb(route),
  });
}

/* --------------------------------- checks ---------------------------------- */

function urlOf(route: Route, probe: Probe): string {
  let i = 0;
  const path = route.path.replace(/:\w+/g, () => probe.params[i++] ?? 'x');
  return probe.query ? `${path}?${probe.query}` : path;
}

async function send(
  http: AuthedHttp,
  method: Method,
  url: string,
  body: Body,
): Promise<request.Response> {
  const req = http[method](url).timeout(ANSWER_WITHIN_MS);
  if (body.kind === 'json') {
    const text = JSON.stringify(body.value);
    return text === undefined ? req : req.set('content-type', 'application/json').send(text);
  }
  if (body.kind === 'raw') return req.set('content-type', body.contentType).send(body.text);
  return req;
}

/** The answer's flaw, or null: a 5xx, or a 4xx that is not a problem+json body. */
function flawOf(res: request.Response): string | null {
  if (res.status >= 500) return `answered ${res.status}: ${clip(JSON.stringify(res.body))}`;
  if (res.status < 400) return null;
  const type = String(res.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json'))
    return `answered ${res.status} as ${type || 'no content type'}: ${clip(res.text ?? '')}`;
  const body = res.body as { status?: unknown; title?: unknown; detail?: unknown };
  if (body.status !== res.status || typeof body.title !== 'string' || !body.detail)
    return `answered ${res.status} with an incomplete problem: ${clip(JSON.stringify(body))}`;
  if (typeof body.detail !== 'string') return `detail is not a string: ${clip(res.text)}`;
  return null;
}

const clip = (text: string, max = 300) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;

function describeProbe(route: Route, probe: Probe): string {
  const body =
    probe.body.kind === 'json'
      ? clip(JSON.stringify(probe.body.value) ?? 'undefined', 400)
      : probe.body.kind === 'raw'
        ? `${probe.body.contentType}: ${clip(JSON.stringify(probe.body.text))}`
        : '(none)';
  return `${route.method.toUpperCase()} ${clip(urlOf(route, probe), 400)} body ${body}`;
}

/** Answers per route and status, for RAPPORT_FUZZ_STATS. */
const statuses = new Map<string, Record<number, number>>();
function answered(route: Route, status: number): void {
  const key = `${route.method.toUpperCase()} ${route.path}`;
  const counts = statuses.get(key) ?? {};
  counts[status] = (counts[status] ?? 0) + 1;
  statuses.set(key, counts);
}

/* ---------------------------------- tests ---------------------------------- */

// The embedded defaults (SQLite, memory read models); RAPPORT_FUZZ_EVENT_STORE and
// RAPPORT_FUZZ_READ_MODELS fuzz other backends (e.g. postgres://…?schema=fuzz_1, redis://…).
const config = loadConfig(
  {
    RAPPORT_MASTER_KEY: process.env.RAPPORT_MASTER_KEY,
    RAPPORT_IDENTITY_PEPPER: process.env.RAPPORT_IDENTITY_PEPPER,
  },
  {
    eventStoreUrl:
      process.env.RAPPORT_FUZZ_EVENT_STORE ||
      `sqlite:${join(mkdtempSync(join(tmpdir(), 'rapport-fuzz-')), 'log.db')}`,
    ...(process.env.RAPPORT_FUZZ_READ_MODELS
      ? { readModelsUrl: process.env.RAPPORT_FUZZ_READ_MODELS }
      : {}),
  },
);
const root = AllInOneModule.forRoot(config);
const routes = discoverRoutes(controllersOf(root));

describe('HTTP fuzz: no 5xx, and a problem+json body for every 4xx', () => {
  let app: INestApplication;
  let http: AuthedHttp;

  beforeAll(async () => {
    const withAccess = { ...config, oidc: (await specConfig()).oidc };
    app = await createHttpApp(AllInOneModule.forRoot(withAccess), withAccess);
    await app.init();
    http = await authorizedHttp(app);

    let seq = 0;
    const touchpoint = (value: string) => ({
      specversion: '1.0',
      id: `fuzz-${(seq += 1)}`,
      source: 'tests/fuzz',
      type: 'touchpoint.recorded.v1',
      time: new Date(Date.UTC(2026, 0, 1, 9, 0, seq)).toISOString(),
      data: { channel: 'email', direction: 'inbound', identity: { kind: 'email', value } },
    });
    for (const value of ['ann@example.com', 'bob@example.com'])
      await http.post('/v1/touchpoints').send(touchpoint(value)).expect(202);
    good.customerId = platformCustomerIdFor({ kind: 'email', value: 'ann@example.com' });
    good.otherCustomerId = platformCustomerIdFor({ kind: 'email', value: 'bob@example.com' });
    good.ideaId = (
      await http
        .post('/v1/ideas')
        .send({ title: 'Fuzzed idea', customerId: good.customerId, staffId: 'agent-7' })
        .expect(201)
    ).body.ideaId as string;
    await untilPasses(async () => {
      await http.get(`/v1/customers/${good.otherCustomerId}`).expect(200);
    });
  });
  afterAll(async () => {
    // RAPPORT_FUZZ_STATS=1: how often each route answered what (is the fuzz getting through?)
    if (process.env.RAPPORT_FUZZ_STATS) console.log(Object.fromEntries(statuses));
    await app?.close();
  });

  it('finds every route, and the DTO of every route that takes a body', () => {
    const names = routes.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /health',
        'GET /v1/customers',
        'GET /v1/customers/:id',
        'GET /v1/customers/:id/timeline',
        'POST /v1/customers/:id/identities',
        'DELETE /v1/customers/:id/identities/:identity',
        'GET /v1/ideas',
        'DELETE /v1/ideas/:id/votes/:customerId',
        'POST /v1/admin/projections/:name/rebuild',
      ]),
    );
    expect(names).not.toContain('POST /v1/touchpoints');
    expect(routes.length).toBeGreaterThanOrEqual(24);
    for (const route of routes.filter(
      (r) =>
        r.method === 'post' &&
        r.path !== '/v1/admin/projections/:name/rebuild' &&
        r.path !== '/v1/admin/adapter-keys/:id/rotate',
    ))
      expect({ route: route.path, body: route.body?.name }).toEqual({
        route: route.path,
        body: expect.any(String),
      });
  });

  // One property per route, so a failure names it.
  it.each(routes.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const))(
    '%s: hostile params, queries and bodies',
    async (_name, route) => {
      await fc.assert(
        fc.asyncProperty(probeArb(route), async (probe) => {
          const res = await send(http, route.method, urlOf(route, probe), probe.body);
          answered(route, res.status);
          const flaw = flawOf(res);
          if (flaw) throw new Error(flaw);
        }),
        {
          numRuns: RUNS_PER_ROUTE,
          reporter: (run) => {
            if (!run.failed) return;
            const probe = run.counterexample?.[0];
            throw new Error(
              `${route.method.toUpperCase()} ${route.path} (seed ${run.seed}, path "${run.counterexamplePath}"):\n` +
                `  ${probe ? describeProbe(route, probe) : '?'}\n  ${run.errorInstance instanceof Error ? run.errorInstance.message : String(run.errorInstance)}`,
            );
          },
        },
      );
    },
  );

  it('answers unknown routes and methods with a 404 problem', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Method>('get', 'post', 'put', 'patch', 'delete'),
        fc.array(pathSegment(goodValues()), { minLength: 1, maxLength: 4 }),
        async (method, segments) => {
          const url = `/nowhere/${segments.join('/')}`;
          const res = await send(http, method, url, { kind: 'none' });
          const flaw = flawOf(res);
          if (flaw) throw new Error(`${method.toUpperCase()} ${clip(url)}: ${flaw}`);
          expect(res.status).toBe(404);
        },
      ),
      { numRuns: 40 },
    );
    const res = await http.put('/v1/ideas').send({}).expect(404);
    expect(res.body).toMatchObject({ status: 404, title: 'Not Found' });
  });
});
