import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { platformCustomerIdFor, untilPasses } from '@rapport/testing';
import { createHttpApp } from '../http/create-http-app';
import { type AuthedHttp, authorizedHttp, specConfig } from '../http/embedded-http-app.spec-helper';
import { AllInOneModule } from '../platform/all-in-one.module';

let seq = 0;
function touchpoint(channel: string, identities: object[], text: string) {
  seq += 1;
  const [identity, ...further] = identities;
  return {
    specversion: '1.0',
    id: `erase-${seq}`,
    source: 'tests/erasure',
    type: 'touchpoint.recorded.v1',
    time: new Date(Date.UTC(2026, 0, 1, 9, 0, seq)).toISOString(),
    data: {
      channel,
      direction: 'inbound',
      identity,
      ...(further.length ? { identities: further } : {}),
      content: { subject: `About ${text}`, text },
    },
  };
}

/** Every file of the log's folder (the database, its WAL), as one latin1 string. */
function rawBytesOf(dir: string): string {
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name)).toString('latin1'))
    .join('\n');
}

describe('erasure over HTTP (embedded: SQLite log, memory read models)', () => {
  let app: INestApplication;
  let http: AuthedHttp;
  let dir: string;
  const email = { kind: 'email', value: 'Zelda.Forgotten@Example.com', verified: true };
  const phone = { kind: 'phone', value: '+49 30 5550123', verified: true };
  const phrase = 'my-unique-lighthouse-phrase';
  const zeldaId = platformCustomerIdFor({ kind: 'email', value: 'zelda.forgotten@example.com' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rapport-erasure-'));
    const config = await specConfig({}, { eventStoreUrl: `sqlite:${join(dir, 'log.db')}` });
    app = await createHttpApp(AllInOneModule.forRoot(config), config);
    await app.init();
    http = await authorizedHttp(app);
  });
  afterAll(() => app.close());

  it('keeps personal fields and identities out of the log in plaintext from the start', async () => {
    await http
      .post('/v1/touchpoints')
      .send(touchpoint('email', [email, phone], phrase))
      .expect(202);
    await untilPasses(async () => {
      const page = await http.get(`/v1/customers/${zeldaId}/timeline`).expect(200);
      expect(page.body.items[0]).toMatchObject({
        excerpt: phrase,
        identity: { kind: 'email', value: 'zelda.forgotten@example.com' },
      });
    });
    const raw = rawBytesOf(dir);
    expect(raw).not.toContain('zelda.forgotten');
    expect(raw).not.toContain('5550123');
    expect(raw).not.toContain(phrase);
  });

  it('forgets a person: gone from every read, suppressed at ingestion until lifted', async () => {
    await http.post('/v1/touchpoints').send(touchpoint('chat', [email], `${phrase} again`));
    await untilPasses(async () => {
      const page = await http.get(`/v1/customers/${zeldaId}/timeline`).expect(200);
      expect(page.body.items).toHaveLength(2);
    });
    await http.delete(`/v1/customers/${zeldaId}`).send({}).expect(400);
    const erased = await http
      .delete(`/v1/customers/${zeldaId}`)
      .send({ reason: 'GDPR request #1' })
      .expect(202);
    expect(erased.body).toMatchObject({ customerId: zeldaId, identities: 2 });
    expect(erased.body.keysDestroyed).toBeGreaterThan(0);

    await untilPasses(async () => {
      await http.get(`/v1/customers/${zeldaId}`).expect(404);
    });
    await http.get(`/v1/customers/${zeldaId}/export`).expect(404);
    await http.post('/v1/customers/lookup').send({ identity: 'phone:+49305550123' }).expect(404);
    const timeline = await http.get(`/v1/customers/${zeldaId}/timeline`);
    expect(JSON.stringify(timeline.body)).not.toContain(phrase);

    // The log still reads, the erased fields as erased.
    const returning = await http
      .post('/v1/touchpoints')
      .send(touchpoint('email', [email], 'I am back'))
      .expect(202);
    expect(returning.body).toMatchObject({ status: 'suppressed' });

    await http
      .post('/v1/suppressions/lift')
      .send({ identity: 'email:zelda.forgotten@example.com', reason: 'asked to come back' })
      .expect(202);
    await http
      .post('/v1/touchpoints')
      .send(touchpoint('email', [email], 'back for good'))
      .expect(202);
    await untilPasses(async () => {
      const page = await http.get(`/v1/customers/${zeldaId}/timeline`).expect(200);
      expect(page.body.items.map((i: { excerpt: string }) => i.excerpt)).toEqual(['back for good']);
      expect((await http.get(`/v1/customers/${zeldaId}`).expect(200)).body.touchpoints).toBe(1);
    });
    expect(rawBytesOf(dir)).not.toContain(phrase);
  });

  it('answers 404 for an unknown customer and 400 for a bad id', async () => {
    await http
      .delete(`/v1/customers/${platformCustomerIdFor({ kind: 'email', value: 'nobody@x.org' })}`)
      .send({ reason: 'no such person' })
      .expect(404);
    await http.delete('/v1/customers/not-a-uuid').send({ reason: 'bad id' }).expect(400);
  });
});
