import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { type RunningProjection } from '@rapport/read-models';
import { createHttpApp, createOpenApiDocument } from '../http/create-http-app';
import { AllInOneModule } from '../platform/all-in-one.module';
import { CLOSENESS_PROJECTOR } from '../platform/tokens';
import { type AuthedHttp, authorizedHttp, specConfig } from '../http/embedded-http-app.spec-helper';

let seq = 0;
function touchpoint(email: string, time: string, data: Record<string, unknown> = {}) {
  seq += 1;
  return {
    specversion: '1.0',
    id: `c-${seq}`,
    source: 'tests/closeness',
    type: 'touchpoint.recorded.v1',
    time,
    data: {
      channel: 'email',
      direction: 'inbound',
      identity: { kind: 'email', value: email },
      ...data,
    },
  };
}

describe('closeness API on embedded defaults', () => {
  let app: INestApplication;
  let http: AuthedHttp;
  let ann: string;
  let bob: string;
  let positions: number[];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-closeness-'));
    const config = await specConfig(
      { RAPPORT_CLOSENESS: '{"halfLifeDays":30}' },
      { eventStoreUrl: `sqlite:${join(dir, 'log.db')}` },
    );
    app = await createHttpApp(AllInOneModule.forRoot(config), config);
    await app.init();
    http = await authorizedHttp(app);
    const sent = await http
      .post('/v1/touchpoints')
      .send([
        // Ann: a visit in person one half-life before 2026-05-31T12:00Z (README example: 25.52)
        touchpoint('ann@example.com', '2026-05-01T12:00:00Z', { channel: 'in_person' }),
        // Bob: an e-mail a day before, then nothing
        touchpoint('bob@example.com', '2026-03-01T12:00:00Z'),
      ])
      .expect(202);
    ann = sent.body.results[0].customerId;
    bob = sent.body.results[1].customerId;
    positions = sent.body.results.map((r: { position: number }) => r.position);
    const head = Math.max(...sent.body.results.map((r: { position: number }) => r.position));
    await app.get<RunningProjection>(CLOSENESS_PROJECTOR).waitFor(head, 5000);
  });
  afterAll(() => app.close());

  it("GET /v1/customers/:id/closeness: the README's hand-computed example, as of a time", async () => {
    const res = await http
      .get(`/v1/customers/${ann}/closeness?asOf=2026-05-31T12:00:00Z&days=3`)
      .expect(200);
    expect(res.body).toMatchObject({
      customerId: ann,
      asOf: '2026-05-31T12:00:00.000Z',
      score: 25.52,
      strength: expect.closeTo(4.25, 9),
      components: { intensity: 22.51, emotion: 0, breadth: 3, coCreation: 0 },
      lastContactAt: '2026-05-01T12:00:00.000Z',
      channels: { in_person: '2026-05-01T12:00:00.000Z' },
    });
    expect(res.body.topContributors).toEqual([
      expect.objectContaining({ kind: 'touchpoint', channel: 'in_person', twoWay: true }),
    ]);
    expect(res.body.history.map((p: { date: string }) => p.date)).toEqual([
      '2026-05-29',
      '2026-05-30',
      '2026-05-31',
    ]);
    // Before the visit, there was nothing.
    const before = await http.get(`/v1/customers/${ann}/closeness?asOf=2026-04-01T00:00:00Z`);
    expect(before.body.score).toBe(0);
  });

  it('GET /v1/closeness/top and /at-risk rank by score; also as of a moment before the latest contact', async () => {
    const top = await http.get('/v1/closeness/top?limit=5&asOf=2026-05-31T12:00:00Z').expect(200);
    expect(top.body.items.map((i: { customerId: string }) => i.customerId)).toEqual([ann, bob]);
    expect(top.body.items[0]).toMatchObject({ rank: 1, score: 25.52 });

    const atRisk = await http
      .get('/v1/closeness/at-risk?window=60d&asOf=2026-05-31T12:00:00Z')
      .expect(200);
    expect(atRisk.body.window).toBe('P60D');
    expect(atRisk.body.items.map((i: { customerId: string }) => i.customerId)).toEqual([bob]);
    expect(atRisk.body.items[0].drop).toBeGreaterThan(0);

    // As of a moment before Ann's visit: only Bob had been in contact, with his score then.
    const early = await http.get('/v1/closeness/top?asOf=2026-04-01T00:00:00Z').expect(200);
    expect(early.body.items.map((i: { customerId: string }) => i.customerId)).toEqual([bob]);
    const bobThen = await http
      .get(`/v1/customers/${bob}/closeness?asOf=2026-04-01T00:00:00Z&days=1`)
      .expect(200);
    expect(early.body.items[0].score).toBe(bobThen.body.score);
    const quietThen = await http
      .get('/v1/closeness/at-risk?window=30d&asOf=2026-04-15T00:00:00Z')
      .expect(200);
    expect(quietThen.body.items.map((i: { customerId: string }) => i.customerId)).toEqual([bob]);
    // Between the two: Ann seen within the window, so not at risk; Bob is.
    const mid = await http
      .get('/v1/closeness/at-risk?window=10d&asOf=2026-05-05T00:00:00Z')
      .expect(200);
    expect(mid.body.items.map((i: { customerId: string }) => i.customerId)).toEqual([bob]);

    const bad = await http.get('/v1/closeness/top?asOf=yesterday').expect(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.errors[0].path).toBe('asOf');
    // RFC 3339 needs the seconds, as for the timeline's asOf.
    const noSeconds = await http.get('/v1/closeness/top?asOf=2026-05-31T12:00Z').expect(400);
    expect(noSeconds.body.errors[0].path).toBe('asOf');
  });

  it('GET /v1/customers/:id/closeness?asOf=<position>: the log up to that position, scored when it was recorded', async () => {
    const [annAt, bobAt] = positions;
    const first = Math.min(annAt, bobAt);
    const onlyFirst = first === annAt ? ann : bob;
    const other = first === annAt ? bob : ann;
    const then = await http.get(`/v1/customers/${onlyFirst}/closeness?asOf=${first}`).expect(200);
    expect(then.body.customerId).toBe(onlyFirst);
    expect(then.body.log).toEqual({ position: first, recordedAt: expect.any(String) });
    expect(then.body.topContributors).toHaveLength(1);
    // The other customer's touchpoint was recorded after that position: no contact then.
    await http.get(`/v1/customers/${other}/closeness?asOf=${first}`).expect(404);
    await http.get(`/v1/customers/${other}/closeness?asOf=${Math.max(annAt, bobAt)}`).expect(200);
    const beyond = await http.get(`/v1/customers/${ann}/closeness?asOf=999999`).expect(400);
    expect(beyond.body.errors[0].path).toBe('asOf');
    const ranking = await http.get(`/v1/closeness/top?asOf=${first}`).expect(400);
    expect(ranking.body.errors[0].message).toContain('not a log position');
  });

  it('describes the three endpoints, each with asOf, in OpenAPI', () => {
    const document = createOpenApiDocument(app);
    for (const path of [
      '/v1/customers/{id}/closeness',
      '/v1/closeness/top',
      '/v1/closeness/at-risk',
    ]) {
      const parameters = document.paths[path]?.get?.parameters as { name: string }[];
      expect(parameters.map((p) => p.name)).toContain('asOf');
    }
  });

  it('GET /health lists the closeness projection', async () => {
    const res = await http.get('/health').expect(200);
    expect(res.body.projections.map((p: { name: string }) => p.name)).toContain('closeness');
  });

  it('answers 400 (problem+json) with field-level errors for bad input, 404 for no contact', async () => {
    const bad = await http
      .get('/v1/closeness/at-risk?window=soon&limit=0&asOf=yesterday&extra=1')
      .expect(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'asOf',
      'extra',
      'limit',
      'window',
    ]);
    await http.get('/v1/customers/not-a-uuid/closeness').expect(400);
    await http.get('/v1/customers/00000000-0000-4000-8000-000000000000/closeness').expect(404);
    await http.get(`/v1/customers/${ann}/closeness?days=400`).expect(400);
  });
});
