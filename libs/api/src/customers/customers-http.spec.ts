import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { AdapterKeys } from '@rapport/application';
import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import { ADAPTER_KEY_HEADER } from '../access/access-policy';
import { untilPasses, platformCustomerIdFor } from '@rapport/testing';
import { createHttpApp } from '../http/create-http-app';
import { AllInOneModule } from '../platform/all-in-one.module';
import { type AuthedHttp, authorizedHttp, specConfig } from '../http/embedded-http-app.spec-helper';

let seq = 0;
function touchpoint(channel: string, identities: Record<string, unknown>[]) {
  seq += 1;
  const [identity, ...further] = identities;
  return {
    specversion: '1.0',
    id: `c-${seq}`,
    source: 'tests/customers',
    type: 'touchpoint.recorded.v1',
    time: new Date(Date.UTC(2026, 0, 1, 9, 0, seq)).toISOString(),
    data: {
      channel,
      direction: 'inbound',
      identity,
      ...(further.length ? { identities: further } : {}),
    },
  };
}

describe('customers: identity resolution, merge and unmerge over HTTP (embedded)', () => {
  let app: INestApplication;
  let http: AuthedHttp;
  const ann = { kind: 'email', value: 'Ann@Example.com', verified: true };
  const visitor = { kind: 'chat', value: 'v-77' };
  const annId = platformCustomerIdFor({ kind: 'email', value: 'ann@example.com' });
  const visitorId = platformCustomerIdFor({ kind: 'chat', value: 'v-77' });

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-customers-'));
    const config = await specConfig({}, { eventStoreUrl: `sqlite:${join(dir, 'log.db')}` });
    app = await createHttpApp(AllInOneModule.forRoot(config), config);
    await app.init();
    http = await authorizedHttp(app);
  });
  afterAll(() => app.close());

  const timelineOf = async (id: string) =>
    (await http.get(`/v1/customers/${id}/timeline`).expect(200)).body as {
      customerId: string;
      redirectedFrom?: string;
      items: { channel: string }[];
    };

  it('links identities seen together, merges by staff, redirects, and unmerges exactly', async () => {
    await http
      .post('/v1/touchpoints')
      .send(touchpoint('email', [ann]))
      .expect(202);
    await http
      .post('/v1/touchpoints')
      .send(touchpoint('chat', [visitor]))
      .expect(202);
    // The visitor logs in: chat and e-mail on one touchpoint, from a chat widget whose key is
    // not trusted to verify e-mail: its claim counts as unverified, so the two customers
    // stay apart with a merge suggestion.
    const { key: untrusted } = await app
      .get(AdapterKeys)
      .create('chat widget', { ...UNRESTRICTED_SCOPE, verifiedKinds: [] }, new Date());
    await http
      .post('/v1/touchpoints')
      .set(ADAPTER_KEY_HEADER, untrusted)
      .send(touchpoint('chat', [visitor, ann]))
      .expect(202);
    await untilPasses(async () => {
      const profile = (await http.get(`/v1/customers/${annId}`).expect(200)).body;
      expect(profile.openMergeSuggestions).toHaveLength(1);
    });
    // Filed under its first identity (the visitor's): it shows there until a merge joins them.
    expect((await timelineOf(visitorId)).items).toHaveLength(2);
    expect((await timelineOf(annId)).items).toHaveLength(1);

    await http
      .post(`/v1/customers/${annId}/merge`)
      .send({ customerId: visitorId, staffId: 'agent-7', note: 'same person' })
      .expect(202);
    await untilPasses(async () => {
      const timeline = await timelineOf(visitorId);
      expect(timeline).toMatchObject({ customerId: annId, redirectedFrom: visitorId });
      expect(timeline.items.map((e) => e.channel)).toEqual(['chat', 'chat', 'email']);
    });
    const found = await http.get('/v1/customers?identity=chat:%20v-77').expect(200);
    expect(found.body.customerId).toBe(annId);
    const profile = (await http.get(`/v1/customers/${visitorId}`).expect(200)).body;
    expect(profile).toMatchObject({
      customerId: annId,
      redirectedFrom: visitorId,
      identities: [
        { kind: 'chat', value: 'v-77' },
        { kind: 'email', value: 'ann@example.com' },
      ],
      mergedCustomers: [visitorId],
      channels: ['chat', 'email'],
      touchpointsPerChannel: { chat: 2, email: 1 },
      touchpoints: 3,
      openMergeSuggestions: [],
    });
    expect(profile.mergeHistory).toMatchObject([
      { action: 'merged', survivorId: annId, mergedId: visitorId, note: 'same person' },
    ]);

    await http.post(`/v1/customers/${annId}/unmerge`).send({ customerId: visitorId }).expect(202);
    await untilPasses(async () => {
      expect((await timelineOf(visitorId)).customerId).toBe(visitorId);
    });
    expect((await timelineOf(visitorId)).items.map((e) => e.channel)).toEqual(['chat', 'chat']);
    expect((await timelineOf(annId)).items.map((e) => e.channel)).toEqual(['email']);
  });

  it('links and unlinks identities explicitly', async () => {
    const phone = encodeURIComponent('phone:+4930123456');
    await http
      .post(`/v1/customers/${annId}/identities`)
      .send({ identity: { kind: 'phone', value: '+49 30 123456' } })
      .expect(202);
    await untilPasses(async () => {
      expect((await http.get(`/v1/customers?identity=${phone}`).expect(200)).body.customerId).toBe(
        annId,
      );
    });
    await http.delete(`/v1/customers/${annId}/identities/${phone}`).expect(202);
    await untilPasses(async () => {
      const found = await http.get(`/v1/customers?identity=${phone}`).expect(200);
      expect(found.body.customerId).not.toBe(annId);
    });
  });

  it('looks up and unlinks with the identity in the body, out of the URL', async () => {
    const card = { kind: 'card', value: 'ab-1234' };
    await http.post(`/v1/customers/${annId}/identities`).send({ identity: card }).expect(202);
    const lookUp = () => http.post('/v1/customers/lookup').send({ identity: 'card:AB1234' });
    await untilPasses(async () => {
      const found = await lookUp().expect(200);
      expect(found.body).toMatchObject({
        customerId: annId,
        identity: { kind: 'card', value: 'AB1234' },
      });
    });
    // Same answer as the query-string form.
    const viaQuery = await http.get('/v1/customers?identity=card:AB1234').expect(200);
    expect((await lookUp().expect(200)).body).toEqual(viaQuery.body);
    await http
      .post(`/v1/customers/${annId}/identities/unlink`)
      .send({ identity: card })
      .expect(202);
    await untilPasses(async () => {
      expect((await lookUp().expect(200)).body.customerId).not.toBe(annId);
    });
    const bad = await http.post('/v1/customers/lookup').send({ identity: 'card:' }).expect(400);
    expect(bad.body.detail).toBe('bad identity');
    await http.post('/v1/customers/lookup').send({}).expect(400);
  });

  it('gives everything held about a person in one document (subject access)', async () => {
    await http
      .post('/v1/touchpoints')
      .send({
        ...touchpoint('email', [{ kind: 'email', value: 'sa@example.com' }]),
        data: {
          channel: 'email',
          direction: 'inbound',
          identity: { kind: 'email', value: 'sa@example.com' },
          content: { text: 'subject access phrase 7731' },
        },
      })
      .expect(202);
    await http
      .post('/v1/touchpoints')
      .send(
        touchpoint('phone', [
          { kind: 'phone', value: '+4930999111' },
          { kind: 'email', value: 'sa@example.com' },
        ]),
      )
      .expect(202);
    const id = platformCustomerIdFor({ kind: 'email', value: 'sa@example.com' });
    await untilPasses(async () => {
      const doc = (await http.get(`/v1/customers/${id}/export`).expect(200)).body;
      expect(doc.customerId).toBe(id);
      expect(doc.profile.identities.map((i: { kind: string }) => i.kind).sort()).toEqual([
        'email',
        'phone',
      ]);
      expect(doc.events.map((e: { type: string }) => e.type)).toEqual([
        'touchpoint.recorded.v1',
        'touchpoint.recorded.v1',
      ]);
      expect(JSON.stringify(doc.events)).toContain('subject access phrase 7731');
      expect(doc.closeness.customerId).toBe(id);
      expect(doc.ideas).toEqual([]);
    });
    await http
      .get(
        `/v1/customers/${platformCustomerIdFor({ kind: 'email', value: 'nobody-sa@example.com' })}/export`,
      )
      .expect(404);
  });

  it('answers refusals as problem details with clear 4xx', async () => {
    const other = platformCustomerIdFor({ kind: 'email', value: 'nobody@example.com' });
    const merge = (id: string, body: object) => http.post(`/v1/customers/${id}/merge`).send(body);
    expect((await merge(annId, { customerId: annId }).expect(400)).body).toMatchObject({
      status: 400,
      errors: [{ code: 'merge-into-itself' }],
    });
    expect((await merge(annId, { customerId: other }).expect(404)).body.errors[0].code).toBe(
      'unknown-customer',
    );
    expect((await merge(annId, { customerId: 'x', extra: 1 }).expect(400)).body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'extra' })]),
    );
    await merge('not-a-uuid', { customerId: annId }).expect(400);
    const unmerge = await http
      .post(`/v1/customers/${annId}/unmerge`)
      .send({ customerId: visitorId })
      .expect(409);
    expect(unmerge.headers['content-type']).toContain('application/problem+json');
    await http.get(`/v1/customers/${other}`).expect(404);
    await http.delete(`/v1/customers/${annId}/identities/email:ann@example.com`).expect(409);
  });

  it('answers 400, never 500, to a missing or malformed identity and to bad ids', async () => {
    // These answered 500 before the DTOs required a nested object (issue 15).
    for (const body of [{}, { identity: [] }, { identity: null }, { identity: 'email:a@b.c' }]) {
      const res = await http.post(`/v1/customers/${annId}/identities`).send(body).expect(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('identity');
    }
    const nested = await http
      .post(`/v1/customers/${annId}/identities`)
      .send({ identity: { kind: 'email', value: 'a@b.c', colour: 'red' } })
      .expect(400);
    expect(nested.body.errors).toEqual([expect.objectContaining({ path: 'identity.colour' })]);
    await http
      .post(`/v1/customers/${annId}/merge`)
      .send({ customerId: visitorId, note: null })
      .expect(400);
    const badId = await http.get('/v1/customers/not-a-uuid/timeline').expect(400);
    expect(badId.body).toMatchObject({
      detail: 'customer id not-a-uuid is not a UUID',
      errors: [{ path: 'id', message: 'expected a UUID' }],
    });
    const repeated = await http.get(`/v1/customers/${annId}?asOf=1&asOf=2`).expect(400);
    expect(repeated.body.errors).toEqual([{ path: 'asOf', message: 'given more than once' }]);
    const bracketed = await http.get(`/v1/customers/${annId}/timeline?limit[]=2`).expect(400);
    expect(bracketed.body.detail).toBe(
      'bad query: limit[]: brackets are not supported: give limit=… once',
    );
  });
});
