import { type INestApplication } from '@nestjs/common';
import {
  familyNamesOf,
  untilPasses,
  promtoolProblems,
  type Sample,
  sampleValue,
  samplesOf,
} from '@rapport/testing';
import { validateMetricName } from 'prom-client';
import { type AuthedHttp, embeddedHttpApp } from '../http/embedded-http-app.spec-helper';
import { TIMELINE_PROJECTOR } from '../platform/tokens';
import { ObservedService } from './observability.module';
import { type RunningProjection } from '@rapport/read-models';

const TOKEN = 'spec-scrape-token-0123456789abcdef';

function touchpoint(id: string, channel: string, email: string) {
  return {
    specversion: '1.0',
    id,
    source: 'adapters/spec',
    type: 'touchpoint.recorded.v1',
    time: '2026-03-01T09:00:00Z',
    data: {
      channel,
      direction: 'inbound',
      identity: { kind: 'email', value: email },
      content: { text: 'hello' },
    },
  };
}

describe('observability (embedded): /metrics for the scraper, probes, what ingestion did', () => {
  let app: INestApplication;
  let http: AuthedHttp;
  let anonymous: Awaited<ReturnType<typeof embeddedHttpApp>>['anonymous'];

  const exposition = async (): Promise<string> => {
    const res = await anonymous
      .get('/metrics')
      .set('authorization', `Bearer ${TOKEN}`)
      .expect(200)
      .expect('content-type', /^text\/plain; version=0\.0\.4; charset=utf-8$/);
    return res.text;
  };
  const scrape = async (): Promise<Sample[]> => samplesOf(await exposition());
  const sample = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
    sampleValue(samples, name, labels);

  beforeAll(async () => {
    process.env.RAPPORT_METRICS_TOKEN = TOKEN;
    try {
      ({ app, http, anonymous } = await embeddedHttpApp());
    } finally {
      delete process.env.RAPPORT_METRICS_TOKEN;
    }
  });
  afterAll(() => app?.close());

  it('lets only the scrape token read /metrics', async () => {
    await anonymous.get('/metrics').expect(401);
    await anonymous
      .get('/metrics')
      .set('authorization', 'Bearer wrong-token-of-some-length-123')
      .expect(401);
    // Staff credentials and adapter keys open everything else, not this.
    await http.get('/metrics').expect(401);
    const text = await exposition();
    const names = familyNamesOf(text);
    expect(names).toEqual(
      expect.arrayContaining(['process_cpu_seconds_total', 'nodejs_heap_size_used_bytes']),
    );
    for (const name of names) expect(validateMetricName(name)).toBe(true);
    // promtool, where it is installed, checks the naming conventions too.
    expect(promtoolProblems(text) ?? []).toEqual([]);
  });

  it('counts accepted, duplicate and refused touchpoints by channel and reason', async () => {
    const before = await scrape();
    await http
      .post('/v1/touchpoints')
      .send([
        touchpoint('m-1', 'email', 'ann@example.com'),
        touchpoint('m-2', 'chat', 'bob@example.com'),
        touchpoint('m-3', 'nope', 'eve@example.com'),
      ])
      .expect(207);
    await http
      .post('/v1/touchpoints')
      .send(touchpoint('m-1', 'email', 'ann@example.com'))
      .expect(200);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    const t = { transport: 'http' };
    expect(
      delta('rapport_ingest_touchpoints_total', { ...t, channel: 'email', outcome: 'accepted' }),
    ).toBe(1);
    expect(
      delta('rapport_ingest_touchpoints_total', { ...t, channel: 'chat', outcome: 'accepted' }),
    ).toBe(1);
    expect(
      delta('rapport_ingest_touchpoints_total', { ...t, channel: 'email', outcome: 'duplicate' }),
    ).toBe(1);
    // An unknown channel is no label value of its own: no identity, id or free text in labels.
    expect(
      delta('rapport_ingest_refused_total', { ...t, channel: 'unknown', reason: 'invalid' }),
    ).toBe(1);
    expect(delta('rapport_ingest_batch_size_count', t)).toBe(2);
    expect(delta('rapport_ingest_batch_size_sum', t)).toBe(4);
    // Two ingest appends at least (identity resolution appends its decisions too).
    expect(
      delta('rapport_event_store_append_duration_seconds_count', { store: 'sqlite' }),
    ).toBeGreaterThanOrEqual(2);
    // Requests by route template, never the concrete URL.
    expect(
      sample(after, 'rapport_http_requests_total', {
        method: 'POST',
        route: '/v1/touchpoints',
        status: '207',
      }),
    ).toBe(1);
    const routes = after
      .filter((s) => s.name === 'rapport_http_requests_total')
      .map((s) => s.labels.route);
    expect(routes.every((r) => r === 'unmatched' || (r?.startsWith('/') && !/@/.test(r)))).toBe(
      true,
    );
  });

  it('reports the log head and each projection caught up, lag 0', async () => {
    const projection = app.get<RunningProjection>(TIMELINE_PROJECTOR);
    await http
      .post('/v1/touchpoints')
      .send(touchpoint('p-1', 'web', 'cy@example.com'))
      .expect(202);
    let head = 0;
    await untilPasses(async () => {
      head = sample(await scrape(), 'rapport_event_store_head_position');
      expect(head).toBeGreaterThanOrEqual(1);
    }, 20_000);
    await projection.waitFor(head);
    // Identity resolution may append decisions meanwhile: the same scrape shows head and position.
    let caughtUp: Sample[] = [];
    await untilPasses(async () => {
      const samples = (caughtUp = await scrape());
      const now = sample(samples, 'rapport_event_store_head_position');
      expect(sample(samples, 'rapport_projection_position', { projection: 'timeline' })).toBe(now);
      expect(sample(samples, 'rapport_projection_lag_events', { projection: 'timeline' })).toBe(0);
      expect(sample(samples, 'rapport_projection_lag_seconds', { projection: 'timeline' })).toBe(0);
    }, 20_000);
    expect(sample(caughtUp, 'rapport_projection_active', { projection: 'timeline' })).toBe(1);
    expect(
      sample(caughtUp, 'rapport_projection_batch_duration_seconds_count', {
        projection: 'timeline',
      }),
    ).toBeGreaterThan(0);
  });

  it('answers liveness and readiness for probes, open to anyone', async () => {
    await anonymous
      .get('/health/live')
      .expect(200, { status: 'ok', info: {}, error: {}, details: {} });
    const ready = await anonymous.get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      info: { log: { status: 'up' }, readModels: { status: 'up' }, projections: { status: 'up' } },
    });
    await anonymous.get('/health').expect(200);
  });

  it('is not ready once it begins to shut down', async () => {
    app.get(ObservedService).beforeApplicationShutdown();
    const draining = await anonymous.get('/health/ready').expect(503);
    expect(draining.body).toMatchObject({
      status: 'error',
      error: { shutdown: { status: 'down', message: 'shutting down' } },
    });
    await anonymous.get('/health/live').expect(200); // alive all the same: no restart
  });
});

describe('observability with RAPPORT_METRICS=off', () => {
  it('serves the probes but no /metrics, and ingestion works uncounted', async () => {
    process.env.RAPPORT_METRICS = 'off';
    process.env.RAPPORT_METRICS_TOKEN = TOKEN;
    let embedded: Awaited<ReturnType<typeof embeddedHttpApp>> | undefined;
    try {
      embedded = await embeddedHttpApp();
    } finally {
      delete process.env.RAPPORT_METRICS;
      delete process.env.RAPPORT_METRICS_TOKEN;
    }
    try {
      const { anonymous, http } = embedded;
      await anonymous.get('/metrics').set('authorization', `Bearer ${TOKEN}`).expect(404);
      await http
        .post('/v1/touchpoints')
        .send(touchpoint('off-1', 'email', 'x@example.com'))
        .expect(202);
      await anonymous.get('/health/ready').expect(200);
    } finally {
      await embedded.app.close();
    }
  });
});
