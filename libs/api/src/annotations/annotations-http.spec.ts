import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import Database from 'better-sqlite3';
import { CUSTOMER_NOTE_ADDED_V1, MAX_NOTE_LENGTH } from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import { platformCustomerIdFor, untilPasses as passes } from '@rapport/testing';
import { createHttpApp } from '../http/create-http-app';
import { type AuthedHttp, authorizedHttp, specConfig } from '../http/embedded-http-app.spec-helper';
import { AllInOneModule } from '../platform/all-in-one.module';
import { EVENT_STORE } from '../platform/tokens';

/** Retries `check` until it passes (or the time is up) and answers what it returned. */
async function until<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  let value: T | undefined;
  await passes(async () => {
    value = await check();
  }, timeoutMs);
  return value as T;
}

let seq = 0;
function touchpoint(email: string) {
  seq += 1;
  return {
    specversion: '1.0',
    id: `notes-${seq}`,
    source: 'tests/annotations',
    type: 'touchpoint.recorded.v1',
    time: new Date(Date.UTC(2026, 0, 1, 9, 0, seq)).toISOString(),
    data: {
      channel: 'email',
      direction: 'inbound',
      identity: { kind: 'email', value: email },
      content: { text: 'hello' },
    },
  };
}

describe('notes and labels over HTTP (embedded)', () => {
  let app: INestApplication;
  let http: AuthedHttp;
  let logFile: string;
  const ann = platformCustomerIdFor({ kind: 'email', value: 'ann@notes.example' });
  const bob = platformCustomerIdFor({ kind: 'email', value: 'bob@notes.example' });

  beforeAll(async () => {
    logFile = join(mkdtempSync(join(tmpdir(), 'rapport-notes-')), 'log.db');
    const config = await specConfig({}, { eventStoreUrl: `sqlite:${logFile}` });
    app = await createHttpApp(AllInOneModule.forRoot(config), config);
    await app.init();
    http = await authorizedHttp(app);
    await http.post('/v1/touchpoints').send(touchpoint('ann@notes.example')).expect(202);
    await http.post('/v1/touchpoints').send(touchpoint('bob@notes.example')).expect(202);
    await until(() => http.get(`/v1/customers/${bob}`).expect(200));
  });
  afterAll(() => app.close());

  it('keeps a note, shows it newest first, and seals its text in the log', async () => {
    const first = await http
      .post(`/v1/customers/${ann}/notes`)
      .send({ text: '  Promised a call back\r\non Monday.  ' })
      .expect(201);
    expect(first.body).toMatchObject({ customerId: ann, noteId: expect.any(String) });
    await http.post(`/v1/customers/${ann}/notes`).send({ text: 'Second' }).expect(201);
    const notes = await until(async () => {
      const res = await http.get(`/v1/customers/${ann}/notes`).expect(200);
      expect(res.body.items).toHaveLength(2);
      return res.body;
    });
    expect(notes.items.map((n: { text: string }) => n.text)).toEqual([
      'Second',
      'Promised a call back\non Monday.',
    ]);
    expect(notes.items[0]).toMatchObject({ staffId: 'staff-test', customerId: ann });
    const page = await http.get(`/v1/customers/${ann}/notes?limit=1`).expect(200);
    expect(page.body.items).toHaveLength(1);
    const older = await http
      .get(`/v1/customers/${ann}/notes?limit=1&before=${page.body.nextBefore}`)
      .expect(200);
    expect(older.body.items[0].text).toBe('Promised a call back\non Monday.');

    // In the log's file the text is sealed with the customer's key; the log reads it decrypted.
    const raw = new Database(logFile, { readonly: true });
    const rows = raw
      .prepare('SELECT data FROM events WHERE type = ?')
      .all(CUSTOMER_NOTE_ADDED_V1) as { data: string }[];
    raw.close();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(JSON.parse(row.data).text).toBe('enc:sealed');
      expect(row.data).not.toContain('Second');
    }
  });

  it.each([
    [{}, 'text'],
    [{ text: '' }, 'text'],
    [{ text: '   ' }, 'text'],
    [{ text: 7 }, 'text'],
    [{ text: ['a'] }, 'text'],
    [{ text: null }, 'text'],
    [{ text: 'x'.repeat(MAX_NOTE_LENGTH + 1) }, 'text'],
    [{ text: 'bell \u0007' }, 'text'],
    [{ text: 'lone \ud800' }, 'text'],
    [{ text: 'ok', extra: 1 }, 'extra'],
  ])('refuses a bad note body (case %#) with a 400 naming the field', async (body, path) => {
    const res = await http.post(`/v1/customers/${ann}/notes`).send(body).expect(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('answers an unknown customer 404 and a malformed id 400', async () => {
    const unknown = '3f1c2a9e-0000-4000-8000-000000000000';
    await http.post(`/v1/customers/${unknown}/notes`).send({ text: 'x' }).expect(404);
    await http.post(`/v1/customers/${unknown}/labels`).send({ label: 'x' }).expect(404);
    await http.get(`/v1/customers/${unknown}/notes`).expect(404);
    await http.post('/v1/customers/not-a-uuid/notes').send({ text: 'x' }).expect(400);
    await http.get(`/v1/customers/${ann}/notes?limit=0`).expect(400);
    await http.get(`/v1/customers/${ann}/notes?limit=1&limit=2`).expect(400);
    await http.get(`/v1/customers/${ann}/notes?before=-1`).expect(400);
  });

  it('labels customers (normalised, once), lists and filters by label, and unlabels', async () => {
    const first = await http
      .post(`/v1/customers/${ann}/labels`)
      .send({ label: ' VIP ' })
      .expect(200);
    expect(first.body).toMatchObject({ label: 'vip', changed: true, labels: ['vip'] });
    await until(async () =>
      expect((await http.get(`/v1/customers/${ann}/labels`).expect(200)).body.labels).toEqual([
        'vip',
      ]),
    );
    const again = await http.post(`/v1/customers/${ann}/labels`).send({ label: 'vip' }).expect(200);
    expect(again.body).toMatchObject({ changed: false, labels: ['vip'] });
    await http.post(`/v1/customers/${bob}/labels`).send({ label: 'b2b:gold' }).expect(200);

    const vip = await until(async () => {
      const res = await http.get('/v1/labels/vip/customers').expect(200);
      expect(res.body.items).toHaveLength(1);
      return res.body;
    });
    expect(vip.items[0]).toMatchObject({ customerId: ann, touchpoints: 1 });
    const closest = await until(async () => {
      const res = await http.get('/v1/labels/vip/closest').expect(200);
      expect(res.body.items).toHaveLength(1);
      return res.body;
    });
    expect(closest.items[0].customerId).toBe(ann);
    const atRisk = await http.get('/v1/labels/b2b:gold/at-risk?window=1d').expect(200);
    expect(atRisk.body.items.every((c: { customerId: string }) => c.customerId === bob)).toBe(true);
    expect((await http.get('/v1/labels/nobody/customers').expect(200)).body.items).toEqual([]);

    const off = await http.delete(`/v1/customers/${ann}/labels/VIP`).expect(200);
    expect(off.body).toMatchObject({ label: 'vip', changed: true, labels: [] });
    await until(async () =>
      expect((await http.get('/v1/labels/vip/customers').expect(200)).body.items).toEqual([]),
    );
    const offAgain = await http.delete(`/v1/customers/${ann}/labels/vip`).expect(200);
    expect(offAgain.body.changed).toBe(false);
  });

  it.each(['', ' ', '<script>', 'a b', '-vip', 'vip-', 'ä', 'x'.repeat(33), '__proto__'])(
    'refuses the label %j with a 400',
    async (label) => {
      const res = await http.post(`/v1/customers/${ann}/labels`).send({ label }).expect(400);
      expect(res.body.errors[0].path).toBe('label');
    },
  );

  it('refuses hostile labels in paths with a 400, never a 500', async () => {
    for (const path of [
      `/v1/customers/${ann}/labels/${encodeURIComponent('<b>')}`,
      `/v1/customers/${ann}/labels/a%20b`,
      `/v1/customers/${ann}/labels/%ED%A0%80`,
    ])
      expect((await http.delete(path)).status).toBe(400);
    for (const path of [
      '/v1/labels/a%20b/customers',
      '/v1/labels/%25/closest',
      '/v1/labels/x/at-risk?window=forever',
    ])
      expect((await http.get(path)).status).toBe(400);
    await http
      .post(`/v1/customers/${ann}/labels`)
      .send({ label: ['vip'] })
      .expect(400);
    await http
      .post(`/v1/customers/${ann}/labels`)
      .send('not json')
      .set('content-type', 'application/json')
      .expect(400);
  });

  it('drops the notes and labels of a forgotten person', async () => {
    await http
      .post(`/v1/customers/${bob}/notes`)
      .send({ text: 'Bob asked about returns' })
      .expect(201);
    await until(async () =>
      expect((await http.get(`/v1/customers/${bob}/notes`).expect(200)).body.items).toHaveLength(1),
    );
    await http.delete(`/v1/customers/${bob}`).send({ reason: 'GDPR #1' }).expect(202);
    await until(async () => {
      await http.get(`/v1/customers/${bob}/notes`).expect(404);
      expect((await http.get('/v1/labels/b2b:gold/customers').expect(200)).body.items).toEqual([]);
    });
    // In the log, the note's text is unreadable now (its key destroyed).
    const store = app.get<EventStore>(EVENT_STORE);
    const notes = (await store.readAll({ after: 0 })).filter(
      (e) =>
        e.type === CUSTOMER_NOTE_ADDED_V1 && (e.data as { customerId: string }).customerId === bob,
    );
    expect(notes.map((e) => (e.data as { text: unknown }).text)).toEqual([{ erased: true }]);
  });
});
