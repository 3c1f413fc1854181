import { type AuthedHttp, embeddedHttpApp } from './http/embedded-http-app.spec-helper';
import { type INestApplication } from '@nestjs/common';
import { TIMELINE_PROJECTOR } from './platform/tokens';
import { type RunningProjection } from '@rapport/read-models';

let seq = 0;
function touchpoint(data: Record<string, unknown> = {}, envelope: Record<string, unknown> = {}) {
  seq += 1;
  return {
    specversion: '1.0',
    id: `m-${seq}`,
    source: 'tests/http',
    type: 'touchpoint.recorded.v1',
    time: new Date(Date.UTC(2026, 0, 1, 9, 0, seq)).toISOString(),
    data: {
      channel: 'email',
      direction: 'inbound',
      identity: { kind: 'email', value: 'ann@example.com' },
      ...data,
    },
    ...envelope,
  };
}

describe('HTTP API on embedded defaults', () => {
  let app: INestApplication;
  let http: AuthedHttp;

  beforeAll(async () => {
    ({ app, http } = await embeddedHttpApp({ maxBatchSize: 20, maxBodyBytes: 200_000 }));
  });
  afterAll(() => app.close());

  /** Waits until the projection has applied the log up to `position` (it follows asynchronously). */
  const settled = (position: number) =>
    app.get<RunningProjection>(TIMELINE_PROJECTOR).waitFor(position, 5000);

  it('accepts one touchpoint (202), then answers a redelivery as a duplicate (200)', async () => {
    const event = touchpoint();
    const first = await http.post('/v1/touchpoints').send(event).expect(202);
    expect(first.body).toMatchObject({
      status: 'accepted',
      customerId: expect.any(String),
      position: expect.any(Number),
    });
    const again = await http.post('/v1/touchpoints').send(event).expect(200);
    expect(again.body).toMatchObject({
      status: 'duplicate',
      eventId: first.body.eventId,
      position: first.body.position,
    });
  });

  it('answers 409 when the same source and id come back with other content', async () => {
    const event = touchpoint();
    await http.post('/v1/touchpoints').send(event).expect(202);
    const res = await http
      .post('/v1/touchpoints')
      .send({ ...event, data: { ...event.data, direction: 'outbound' } })
      .expect(409);
    expect(res.body.detail).toContain(event.id);
  });

  it('answers 400 with field-level reasons', async () => {
    const res = await http
      .post('/v1/touchpoints')
      .send(
        touchpoint({
          channel: 'pigeon',
          identity: { kind: 'email', value: 'ann@example.com', shoeSize: 9 },
        }),
      )
      .expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'data.channel',
      'data.identity.shoeSize',
    ]);
  });

  it('answers 400 for malformed JSON, 413 for oversized bodies and batches, 415 for other media types', async () => {
    await http
      .post('/v1/touchpoints')
      .set('content-type', 'application/json')
      .send('{"specversion":')
      .expect(400);
    const huge = touchpoint({ content: { text: 'x'.repeat(250_000) } });
    const tooLarge = await http.post('/v1/touchpoints').send(huge).expect(413);
    expect(tooLarge.body.detail).toContain('200000 bytes');
    const batch = await http
      .post('/v1/touchpoints')
      .send(Array.from({ length: 21 }, () => touchpoint()))
      .expect(413);
    expect(batch.body.detail).toContain('at most 20 events');
    await http.post('/v1/touchpoints').set('content-type', 'text/plain').send('hello').expect(415);
    await http.post('/v1/touchpoints').send([]).expect(400);
  });

  it('takes a batch in CloudEvents batch mode and reports a result per item (207 when mixed)', async () => {
    const good = touchpoint({ identity: { kind: 'email', value: 'batch@example.com' } });
    const bad = touchpoint({ direction: 'sideways' });
    const res = await http
      .post('/v1/touchpoints')
      .set('content-type', 'application/cloudevents-batch+json')
      .send(JSON.stringify([good, bad, good]))
      .expect(207);
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 1, rejected: 1, conflicts: 0 });
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual([
      'accepted',
      'rejected',
      'duplicate',
    ]);
    expect(res.body.results[1].errors[0].path).toBe('data.direction');
    const allBad = await http.post('/v1/touchpoints').send([bad]).expect(400);
    expect(allBad.body.rejected).toBe(1);
  });

  it('puts touchpoints of one identity from several channels on one timeline, newest first', async () => {
    const identity = { kind: 'email', value: 'Zoe@Example.com' };
    const events = [
      touchpoint({ channel: 'email', identity }, { time: '2026-02-01T10:00:00Z' }),
      touchpoint(
        { channel: 'chat', identity: { kind: 'email', value: ' zoe@example.COM' } },
        { time: '2026-02-03T10:00:00Z' },
      ),
      touchpoint(
        { channel: 'in_person', direction: 'outbound', identity },
        { time: '2026-02-02T10:00:00Z' },
      ),
    ];
    const res = await http.post('/v1/touchpoints').send(events).expect(202);
    const customers = new Set(res.body.results.map((r: { customerId: string }) => r.customerId));
    expect(customers.size).toBe(1);
    const [customerId] = [...customers] as string[];
    await settled(Math.max(...res.body.results.map((r: { position: number }) => r.position)));

    const timeline = await http.get(`/v1/customers/${customerId}/timeline`).expect(200);
    expect(timeline.body.items.map((e: { channel: string }) => e.channel)).toEqual([
      'chat',
      'in_person',
      'email',
    ]);
    const chatOnly = await http
      .get(`/v1/customers/${customerId}/timeline?channel=chat,email&direction=inbound`)
      .expect(200);
    expect(chatOnly.body.items.map((e: { channel: string }) => e.channel)).toEqual([
      'chat',
      'email',
    ]);
    const window = await http.get(
      `/v1/customers/${customerId}/timeline?from=2026-02-02T00:00:00Z&to=2026-02-03T00:00:00Z`,
    );
    expect(window.body.items.map((e: { channel: string }) => e.channel)).toEqual(['in_person']);

    const page1 = await http.get(`/v1/customers/${customerId}/timeline?limit=2`).expect(200);
    expect(page1.body.items).toHaveLength(2);
    const page2 = await http
      .get(`/v1/customers/${customerId}/timeline?limit=2&cursor=${page1.body.nextCursor}`)
      .expect(200);
    expect(page2.body.items.map((e: { channel: string }) => e.channel)).toEqual(['email']);
    expect(page2.body.nextCursor).toBeNull();

    const found = await http
      .get('/v1/customers')
      .query({ identity: 'email:ZOE@example.com' })
      .expect(200);
    expect(found.body.customerId).toBe(customerId);
  });

  it('refuses bad timeline and lookup queries clearly', async () => {
    await http.get('/v1/customers/not-a-uuid/timeline').expect(400);
    const res = await http
      .get('/v1/customers/6f1b0c8e-2d7a-4e35-8a41-93c2d5e7b0f4/timeline?limit=9999&colour=red')
      .expect(400);
    expect(res.body.errors[0].path).toBe('colour');
    await http.get('/v1/customers?identity=fax:123').expect(400);
    await http.get('/v1/customers?identity=email:nobody@example.com').expect(404);
  });

  it('reports health with the log head and projection lag', async () => {
    const res = await http.get('/health').expect(200);
    expect(res.body.log.head).toBeGreaterThan(0);
    expect(res.body.projections[0]).toMatchObject({ name: 'timeline', caughtUp: true });
  });
});
