import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { platformCustomerIdFor, untilPasses } from '@rapport/testing';
import { createHttpApp } from '../http/create-http-app';
import { AllInOneModule } from '../platform/all-in-one.module';
import { type AuthedHttp, authorizedHttp, specConfig } from '../http/embedded-http-app.spec-helper';

let seq = 0;
function touchpoint(identity: Record<string, unknown>, data: Record<string, unknown> = {}) {
  seq += 1;
  return {
    specversion: '1.0',
    id: `n-${seq}`,
    source: 'tests/names',
    type: 'touchpoint.recorded.v1',
    time: new Date(Date.UTC(2026, 0, 1, 9, 0, seq)).toISOString(),
    data: { channel: 'email', direction: 'inbound', identity, ...data },
  };
}

describe('names, name search and full messages over HTTP (embedded)', () => {
  let app: INestApplication;
  let http: AuthedHttp;
  const ann = { kind: 'email', value: 'ann@example.com' } as const;
  const bob = { kind: 'email', value: 'bob@example.com' } as const;
  const annId = platformCustomerIdFor(ann);
  const bobId = platformCustomerIdFor(bob);
  const longText = `Dear team, ${'the parcel never came. '.repeat(40)}Regards, Ann`;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-names-'));
    const config = await specConfig({}, { eventStoreUrl: `sqlite:${join(dir, 'log.db')}` });
    app = await createHttpApp(AllInOneModule.forRoot(config), config);
    await app.init();
    http = await authorizedHttp(app);
    for (const event of [
      touchpoint(ann, { name: 'Ann Smith', content: { subject: 'Parcel', text: longText } }),
      touchpoint(bob, { name: 'Bob Ångström' }),
      touchpoint(ann, { name: 'Ánn Smith-Jones', content: { text: 'Any news?' } }),
      touchpoint(ann, { content: { text: 'no name on this one' } }),
    ])
      await http.post('/v1/touchpoints').send(event).expect(202);
  });
  afterAll(() => app.close());

  const search = (body: unknown) => http.post('/v1/customers/search').send(body as object);

  it('shows the latest name on the profile and finds it by a folded prefix of any word', async () => {
    await untilPasses(async () => {
      const profile = (await http.get(`/v1/customers/${annId}`).expect(200)).body;
      expect(profile.name).toBe('Ánn Smith-Jones');
    });
    for (const prefix of ['ann', 'ANN SMITH', 'smith-j', 'Smíth'])
      expect((await search({ namePrefix: prefix }).expect(200)).body.items).toEqual([
        { customerId: annId, name: 'Ánn Smith-Jones', seenAt: expect.any(String) },
      ]);
    expect((await search({ namePrefix: 'angst' }).expect(200)).body.items).toEqual([
      { customerId: bobId, name: 'Bob Ångström', seenAt: expect.any(String) },
    ]);
    expect((await search({ namePrefix: 'b', limit: 1 }).expect(200)).body.items).toHaveLength(1);
  });

  it.each([
    [{}, 'namePrefix'],
    [{ namePrefix: '' }, 'namePrefix'],
    [{ namePrefix: '-- ' }, 'namePrefix'],
    [{ namePrefix: 42 }, 'namePrefix'],
    [{ namePrefix: 'x'.repeat(201) }, 'namePrefix'],
    [{ namePrefix: 'ann', limit: 0 }, 'limit'],
    [{ namePrefix: 'ann', limit: 51 }, 'limit'],
    [{ namePrefix: 'ann', limit: null }, 'limit'],
    [{ namePrefix: 'ann', extra: 1 }, 'extra'],
  ])('refuses the search %j with a 400 naming %s', async (body, path) => {
    const response = await search(body).expect(400);
    expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('refuses a touchpoint whose name is bad, naming the field', async () => {
    const response = await http
      .post('/v1/touchpoints')
      .send(touchpoint(ann, { name: 'Ann\u0000' }))
      .expect(400);
    expect(JSON.stringify(response.body)).toContain('data.name');
  });

  it('reads one touchpoint in full from the log, only on its customer’s timeline', async () => {
    const timeline = (await http.get(`/v1/customers/${annId}/timeline`).expect(200)).body;
    const first = timeline.items.find((e: { subject?: string }) => e.subject === 'Parcel');
    expect(first.excerpt.length).toBeLessThan(longText.length);
    const full = (
      await http.get(`/v1/customers/${annId}/touchpoints/${first.position}`).expect(200)
    ).body;
    expect(full).toMatchObject({
      customerId: annId,
      eventId: first.eventId,
      position: first.position,
      channel: 'email',
      direction: 'inbound',
      name: 'Ann Smith',
      subject: 'Parcel',
      text: longText,
      identity: { kind: 'email', value: 'ann@example.com' },
    });
    expect(full).not.toHaveProperty('erased');
    // Not Bob's, not past the head, not malformed.
    await http.get(`/v1/customers/${bobId}/touchpoints/${first.position}`).expect(404);
    await http.get(`/v1/customers/${annId}/touchpoints/999999`).expect(404);
    for (const bad of ['0', '-1', 'abc', '1e3', '12345678901234567890'])
      await http.get(`/v1/customers/${annId}/touchpoints/${bad}`).expect(400);
  });

  it('forgets names with the person: not on the profile, not found', async () => {
    await http.delete(`/v1/customers/${bobId}`).send({ reason: 'test #1' }).expect(202);
    await untilPasses(async () => {
      expect((await search({ namePrefix: 'bob' }).expect(200)).body.items).toEqual([]);
    });
    await http.get(`/v1/customers/${bobId}`).expect(404);
  });
});
