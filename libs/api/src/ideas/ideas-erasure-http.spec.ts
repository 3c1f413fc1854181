import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { type OpenAPIObject } from '@nestjs/swagger';
import { platformCustomerIdFor, untilPasses } from '@rapport/testing';
import { createHttpApp, createOpenApiDocument } from '../http/create-http-app';
import { type AuthedHttp, authorizedHttp, specConfig } from '../http/embedded-http-app.spec-helper';
import { AllInOneModule } from '../platform/all-in-one.module';

let seq = 0;
function touchpoint(email: string, text: string) {
  seq += 1;
  return {
    specversion: '1.0',
    id: `idea-erase-${seq}`,
    source: 'tests/idea-erasure',
    type: 'touchpoint.recorded.v1',
    time: new Date(Date.UTC(2026, 0, 1, 9, 0, seq)).toISOString(),
    data: {
      channel: 'chat',
      direction: 'inbound',
      identity: { kind: 'email', value: email, verified: true },
      content: { text },
    },
  };
}

type Schema = {
  $ref?: string;
  oneOf?: Schema[];
  allOf?: Schema[];
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
};

/**
 * Where a JSON value breaks an OpenAPI schema of the document (types, nullable, required
 * properties, enums, `$ref`, `oneOf`, `allOf`): a list of paths, empty when it conforms.
 */
function violations(document: OpenAPIObject, schema: Schema, value: unknown, at = '$'): string[] {
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop() as string;
    return violations(document, document.components?.schemas?.[name] as Schema, value, at);
  }
  if (schema.oneOf)
    return schema.oneOf.some((s) => violations(document, s, value, at).length === 0)
      ? []
      : [`${at}: matches none of oneOf`];
  if (schema.allOf) return schema.allOf.flatMap((s) => violations(document, s, value, at));
  if (value === null) return schema.nullable ? [] : [`${at}: null`];
  if (schema.enum && !schema.enum.includes(value)) return [`${at}: not in enum`];
  const type = Array.isArray(value) ? 'array' : typeof value;
  switch (schema.type) {
    case 'string':
    case 'boolean':
      return type === schema.type ? [] : [`${at}: not a ${schema.type}`];
    case 'number':
    case 'integer':
      return type === 'number' ? [] : [`${at}: not a number`];
    case 'array':
      return type !== 'array'
        ? [`${at}: not an array`]
        : (value as unknown[]).flatMap((item, i) =>
            violations(document, schema.items ?? {}, item, `${at}[${i}]`),
          );
    default: {
      if (!schema.properties) return [];
      if (type !== 'object') return [`${at}: not an object`];
      const object = value as Record<string, unknown>;
      return [
        ...(schema.required ?? []).filter((k) => !(k in object)).map((k) => `${at}.${k}: missing`),
        ...Object.entries(schema.properties).flatMap(([k, s]) =>
          k in object ? violations(document, s, object[k], `${at}.${k}`) : [],
        ),
      ];
    }
  }
}

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

describe('ideas and closeness over HTTP after an erasure (embedded: memory read models)', () => {
  let app: INestApplication;
  let http: AuthedHttp;
  let document: OpenAPIObject;
  const zoe = platformCustomerIdFor({ kind: 'email', value: 'zoe.lantern@example.com' });
  const max = platformCustomerIdFor({ kind: 'email', value: 'max.keeps@example.com' });

  beforeAll(async () => {
    // A log (and its data keys) of this test's own.
    const dir = mkdtempSync(join(tmpdir(), 'rapport-idea-erasure-'));
    const config = await specConfig({}, { eventStoreUrl: `sqlite:${join(dir, 'log.db')}` });
    app = await createHttpApp(AllInOneModule.forRoot(config), config);
    await app.init();
    http = await authorizedHttp(app);
    document = createOpenApiDocument(app);
  });
  afterAll(() => app.close());

  it('keeps the person’s votes counted as an anonymous supporter, erases what they wrote, and drops their closeness', async () => {
    await http
      .post('/v1/touchpoints')
      .send(touchpoint('zoe.lantern@example.com', 'hello'))
      .expect(202);
    await http.post('/v1/touchpoints').send(touchpoint('max.keeps@example.com', 'hi')).expect(202);
    await untilPasses(async () => {
      await http.get(`/v1/customers/${zoe}/closeness`).expect(200);
      await http.get(`/v1/customers/${max}/closeness`).expect(200);
    });
    const lantern = await http
      .post('/v1/ideas')
      .send({
        title: 'Paper lanterns in the shop',
        description: 'zoe.lantern@example.com would love them',
        customerId: zoe,
        touchpointEventId: 'chat-zoe-1',
        channel: 'chat',
      })
      .expect(201);
    const id = lantern.body.ideaId as string;
    await http
      .post(`/v1/ideas/${id}/votes`)
      .send({ customerId: max, staffId: 'agent-1' })
      .expect(201);
    await http
      .post(`/v1/ideas/${id}/comments`)
      .send({ customerId: zoe, text: 'lanterns for my street party' })
      .expect(201);
    const gift = await http
      .post('/v1/ideas')
      .send({ title: 'Gift wrap', customerId: max, staffId: 'agent-1' })
      .expect(201);
    const giftId = gift.body.ideaId as string;
    await http
      .post(`/v1/ideas/${giftId}/votes`)
      .send({ customerId: zoe, staffId: 'agent-1' })
      .expect(201);
    await untilPasses(async () => {
      const mine = await http.get(`/v1/customers/${zoe}/ideas`).expect(200);
      expect(mine.body.items).toHaveLength(2);
      expect((await http.get(`/v1/ideas/${id}`).expect(200)).body.comments).toHaveLength(1);
    });

    await http.delete(`/v1/customers/${zoe}`).send({ reason: 'GDPR request #7' }).expect(202);

    let one: Record<string, unknown> & { submittedBy: string; supporters: string[] } = {
      submittedBy: '',
      supporters: [],
    };
    await untilPasses(async () => {
      one = (await http.get(`/v1/ideas/${id}`).expect(200)).body;
      expect(one).toMatchObject({ title: null, erased: true, voteCount: 2 });
      expect(one.description).toBeUndefined();
      expect(one.submittedBy).toMatch(/^anonymous-/);
      expect(one.supporters).toEqual(expect.arrayContaining([max, one.submittedBy]));
      expect(one.comments).toEqual([
        expect.objectContaining({
          author: { kind: 'customer', customerId: one.submittedBy },
          text: null,
          erased: true,
        }),
      ]);
      await http.get(`/v1/customers/${zoe}/closeness`).expect(404);
    });
    const giftNow = (await http.get(`/v1/ideas/${giftId}`).expect(200)).body;
    expect(giftNow).toMatchObject({ title: 'Gift wrap', voteCount: 2, submittedBy: max });
    const backlog = (await http.get('/v1/ideas').expect(200)).body;
    expect(backlog.items.map((i: { votes: number }) => i.votes)).toEqual([2, 2]);
    // Every answer conforms to the OpenAPI document (an erased title or text is null).
    expect(violations(document, ref('BacklogPageResponse'), backlog)).toEqual([]);
    for (const detail of [one, giftNow])
      expect(violations(document, ref('IdeaDetailResponse'), detail)).toEqual([]);
    const ideasOfZoe = (await http.get(`/v1/customers/${zoe}/ideas`).expect(200)).body;
    expect(violations(document, ref('CustomerIdeasResponse'), ideasOfZoe)).toEqual([]);
    const ideasOfMax = (await http.get(`/v1/customers/${max}/ideas`).expect(200)).body;
    expect(ideasOfMax.items).toHaveLength(2);
    expect(violations(document, ref('CustomerIdeasResponse'), ideasOfMax)).toEqual([]);
    // The schema check would catch an erased title that is not null.
    expect(
      violations(document, ref('IdeaDetailResponse'), { ...one, title: { erased: true } }),
    ).not.toEqual([]);
    expect((await http.get('/v1/ideas?q=lanterns').expect(200)).body.items).toEqual([]);
    expect((await http.get(`/v1/customers/${zoe}/ideas`).expect(200)).body.items).toEqual([]);
    const top = (await http.get('/v1/closeness/top?limit=50').expect(200)).body;
    expect(top.items.map((i: { customerId: string }) => i.customerId)).toEqual([max]);

    const everything = JSON.stringify([
      (await http.get(`/v1/ideas/${id}`)).body,
      (await http.get(`/v1/ideas/${giftId}`)).body,
      backlog,
      top,
      (await http.get('/v1/closeness/at-risk?window=P1D&limit=50').expect(200)).body,
    ]);
    for (const trace of [zoe, 'zoe.lantern', 'lantern', 'street party'])
      expect(everything.toLowerCase()).not.toContain(trace);
  });
});
