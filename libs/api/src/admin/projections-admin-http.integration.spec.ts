import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { type MemoryOutboundPublisher } from '@rapport/application';
import { unlinkKeysStartingWith } from '@rapport/read-models/internals';
import { describeWithServices, eventually, testRedis } from '@rapport/testing';
import { createHttpApp } from '../http/create-http-app';
import { IdeaLoopService } from '../ideas/idea-loop.module';
import { AllInOneModule } from '../platform/all-in-one.module';
import { type AuthedHttp, authorizedHttp, specConfig } from '../http/embedded-http-app.spec-helper';

interface Overview {
  name: string;
  version: number | null;
  position: number;
  lagEvents: number;
  lagSeconds: number;
  rebuild: { version: number; position: number } | null;
  lastRebuild?: { status: string; version: number; previousVersion: number };
}

const touchpoint = (n: number) => ({
  specversion: '1.0',
  id: `admin-${n}`,
  source: 'tests/admin',
  type: 'touchpoint.recorded.v1',
  time: new Date(Date.UTC(2026, 2, 1) + n * 60_000).toISOString(),
  data: {
    channel: n % 2 ? 'email' : 'chat',
    direction: 'inbound',
    identity: { kind: 'email', value: `p${n % 40}@admin.example` },
    content: { text: `note ${n}` },
  },
});

/**
 * The operators' projection API in `rapport dev`'s shape (one process, SQLite log, memory
 * read models in slots, the idea loop with its in-memory outbound publisher).
 */
describe('admin: projections and blue/green rebuilds over HTTP (embedded)', () => {
  jest.setTimeout(120_000);
  let app: INestApplication;
  let http: AuthedHttp;
  let publisher: MemoryOutboundPublisher;

  const head = async () => (await http.get('/health').expect(200)).body.log.head as number;
  const list = async () =>
    (await http.get('/v1/admin/projections').expect(200)).body as {
      head: number;
      projections: Overview[];
    };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-admin-'));
    const config = await specConfig({}, { eventStoreUrl: `sqlite:${join(dir, 'log.db')}` });
    app = await createHttpApp(AllInOneModule.forRoot(config), config);
    await app.init();
    http = await authorizedHttp(app);
    publisher = app.get(IdeaLoopService).publisher as MemoryOutboundPublisher;
    // 2,000 touchpoints of 40 people, then an idea two of them support and a status change.
    for (let batch = 0; batch < 4; batch++)
      await http
        .post('/v1/touchpoints')
        .send([...Array(500).keys()].map((i) => touchpoint(batch * 500 + i)))
        .expect(202);
    const customerOf = async (n: number) =>
      (
        await eventually(
          () => http.get(`/v1/customers?identity=email:p${n}@admin.example`),
          (r) => r.status === 200,
        )
      ).body.customerId as string;
    const [ann, bob] = [await customerOf(1), await customerOf(2)];
    const { ideaId } = (
      await http
        .post('/v1/ideas')
        .send({ title: 'Dark mode', customerId: ann, staffId: 's' })
        .expect(201)
    ).body as { ideaId: string };
    await http
      .post(`/v1/ideas/${ideaId}/votes`)
      .send({ customerId: bob, staffId: 's' })
      .expect(201);
    await http
      .post(`/v1/ideas/${ideaId}/status`)
      .send({ to: 'under_review', staffId: 's' })
      .expect(200);
    await eventually(
      async () => publisher.sent.length,
      (n) => n === 2,
      20_000,
    );
    // Settled: every projection at the head (the notifier appended its outbound touchpoints).
    await eventually(list, (l) => l.projections.every((p) => p.position === l.head), 20_000);
  });
  afterAll(() => app?.close());

  it('lists every projection with its live version, position and lag, identity resolution included', async () => {
    const { head, projections } = await list();
    expect(projections.map((p) => p.name)).toEqual([
      'timeline',
      'closeness',
      'ideas',
      'identity-resolution',
    ]);
    for (const p of projections)
      expect(p).toMatchObject({ position: head, lagEvents: 0, lagSeconds: 0, rebuild: null });
    expect(projections.map((p) => p.version)).toEqual([0, 0, 0, null]);
    const health = (await http.get('/health').expect(200)).body as {
      projections: { name: string; lag: number }[];
    };
    expect(health.projections.find((p) => p.name === 'identity-resolution')).toMatchObject({
      lag: 0,
    });
  });

  it('unknown names answer 404 with the known ones; identity resolution is never rebuilt', async () => {
    const unknown = await http.post('/v1/admin/projections/timelines/rebuild').expect(404);
    expect(unknown.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(unknown.body.detail).toMatch(/timeline, closeness, ideas/);
    const resolution = await http
      .post('/v1/admin/projections/identity-resolution/rebuild')
      .expect(404);
    expect(resolution.body.detail).toMatch(/never rebuilt/);
    await http.get('/v1/admin/projections/nope').expect(404);
  });

  it('a rebuild answers 202 and where to watch it; queries answered throughout; no notification sent, nothing appended', async () => {
    const before = await head();
    const sent = publisher.sent.length;
    const customer = (await http.get('/v1/customers?identity=email:p7@admin.example').expect(200))
      .body.customerId as string;
    const timeline = (await http.get(`/v1/customers/${customer}/timeline?limit=500`).expect(200))
      .body;

    const started = await http.post('/v1/admin/projections/timeline/rebuild').expect(202);
    expect(started.body).toMatchObject({ name: 'timeline', version: 1, status: 'started' });
    expect(started.headers.location).toBe('/v1/admin/projections/timeline');
    // Answered throughout, from a whole model.
    while ((await http.get('/v1/admin/projections/timeline').expect(200)).body.rebuild)
      expect(
        (await http.get(`/v1/customers/${customer}/timeline?limit=500`).expect(200)).body,
      ).toEqual(timeline);
    const done = await eventually(
      async () => (await http.get('/v1/admin/projections/timeline').expect(200)).body as Overview,
      (p) => p.lastRebuild !== undefined,
      20_000,
    );
    expect(done).toMatchObject({
      version: 1,
      rebuild: null,
      lastRebuild: { status: 'switched', version: 1, previousVersion: 0 },
    });
    expect(
      (await http.get(`/v1/customers/${customer}/timeline?limit=500`).expect(200)).body,
    ).toEqual(timeline);

    // The idea backlog and closeness too: the status change is in the log, and still nothing is sent.
    for (const name of ['ideas', 'closeness']) {
      await http.post(`/v1/admin/projections/${name}/rebuild`).expect(202);
      const rebuilt = await eventually(
        async () => (await http.get(`/v1/admin/projections/${name}`).expect(200)).body as Overview,
        (p) => p.lastRebuild !== undefined,
        20_000,
      );
      expect(rebuilt).toMatchObject({ version: 1, lastRebuild: { status: 'switched' } });
    }
    expect((await http.get('/v1/ideas?q=dark').expect(200)).body.items[0]).toMatchObject({
      status: 'under_review',
      votes: 2,
    });
    expect(publisher.sent).toHaveLength(sent);
    expect(await head()).toBe(before);

    // The live projection writes the new version from its checkpoint on.
    await http
      .post('/v1/touchpoints')
      .send(touchpoint(7 + 40 * 100))
      .expect(202);
    const grown = await eventually(
      async () =>
        (await http.get(`/v1/customers/${customer}/timeline?limit=500`)).body.items as unknown[],
      (items) => items.length === timeline.items.length + 1,
    );
    expect(grown).toHaveLength(timeline.items.length + 1);
  });
});

/** The same API on Redis read models: the rebuild lock is in Redis, so any replica refuses a second rebuild. */
describeWithServices(['redis'], 'admin: rebuilds on Redis read models over HTTP', (urls) => {
  jest.setTimeout(120_000);
  const prefix = `rapport-test:admin-${randomUUID().slice(0, 8)}:`;
  const redis = testRedis(urls.redis);
  let app: INestApplication;
  let http: AuthedHttp;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-admin-redis-'));
    const config = await specConfig(
      {},
      {
        eventStoreUrl: `sqlite:${join(dir, 'log.db')}`,
        readModelsUrl: `${urls.redis}/0?prefix=${prefix}`,
      },
    );
    app = await createHttpApp(AllInOneModule.forRoot(config), config);
    await app.init();
    http = await authorizedHttp(app);
    await http
      .post('/v1/touchpoints')
      .send([...Array(300).keys()].map((i) => touchpoint(i)))
      .expect(202);
  });
  afterAll(async () => {
    await app?.close();
    await unlinkKeysStartingWith(redis, prefix);
    await redis.quit();
  });

  it('409 while another process holds the rebuild of that projection; 202 once it is free, then version 1 is live', async () => {
    await redis.set(
      `${prefix}{closeness}:lease:rebuild:closeness`,
      'elsewhere:42:token',
      'PX',
      60_000,
    );
    const refused = await http.post('/v1/admin/projections/closeness/rebuild').expect(409);
    expect(refused.body.detail).toMatch(/already running \(held by elsewhere:42:token\)/);
    await redis.del(`${prefix}{closeness}:lease:rebuild:closeness`);
    await http.post('/v1/admin/projections/closeness/rebuild').expect(202);
    const done = await eventually(
      async () => (await http.get('/v1/admin/projections/closeness').expect(200)).body as Overview,
      (p) => p.lastRebuild !== undefined,
      20_000,
    );
    expect(done).toMatchObject({ version: 1, rebuild: null, lastRebuild: { status: 'switched' } });
    expect(await redis.get(`${prefix}{closeness}:projections:live:closeness`)).toBe('1');
  });
});
