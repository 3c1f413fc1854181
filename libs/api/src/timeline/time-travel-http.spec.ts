import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type INestApplication } from '@nestjs/common';
import { untilPasses, platformCustomerIdFor } from '@rapport/testing';
import { createHttpApp, createOpenApiDocument } from '../http/create-http-app';
import { AllInOneModule } from '../platform/all-in-one.module';
import { type AuthedHttp, authorizedHttp, specConfig } from '../http/embedded-http-app.spec-helper';

let seq = 0;
function touchpoint(channel: string, identity: Record<string, unknown>) {
  seq += 1;
  return {
    specversion: '1.0',
    id: `tt-${seq}`,
    source: 'tests/time-travel',
    type: 'touchpoint.recorded.v1',
    time: new Date(Date.UTC(2026, 0, 1, 9, 0, seq)).toISOString(),
    data: { channel, direction: 'inbound', identity },
  };
}

interface TimelineBody {
  customerId: string;
  redirectedFrom?: string;
  items: { channel: string; position: number }[];
  nextCursor: string | null;
  asOf?: { position: number; recordedAt: string | null };
}

describe('time travel over HTTP: ?asOf= on timeline, profile and search (embedded)', () => {
  let app: INestApplication;
  let http: AuthedHttp;
  const ann = { kind: 'email', value: 'ann@example.com' } as const;
  const bob = { kind: 'email', value: 'bob@example.com' } as const;
  const annId = platformCustomerIdFor(ann);
  const bobId = platformCustomerIdFor(bob);
  /** Moments between the steps: before anything, before the merge, merged, after the unmerge. */
  const moments: Record<'start' | 'beforeMerge' | 'merged', string> = {
    start: '',
    beforeMerge: '',
    merged: '',
  };
  let headAtEnd = 0;

  const timeline = async (id: string, query = '') =>
    (await http.get(`/v1/customers/${id}/timeline${query}`).expect(200)).body as TimelineBody;
  const searchBob = (query = '') =>
    http.get(`/v1/customers?identity=email:bob@example.com${query}`);
  /** A moment strictly after everything the log holds now, and strictly before what comes next. */
  const moment = async () => {
    await sleep(5);
    const at = new Date().toISOString();
    await sleep(5);
    return at;
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-time-travel-'));
    const config = await specConfig({}, { eventStoreUrl: `sqlite:${join(dir, 'log.db')}` });
    app = await createHttpApp(AllInOneModule.forRoot(config), config);
    await app.init();
    http = await authorizedHttp(app);

    moments.start = await moment();
    for (const [channel, identity] of [
      ['email', ann],
      ['email', bob],
      ['chat', ann],
      ['email', bob],
    ] as const)
      await http.post('/v1/touchpoints').send(touchpoint(channel, identity)).expect(202);
    await untilPasses(async () => {
      expect((await timeline(bobId)).items).toHaveLength(2);
      expect((await searchBob().expect(200)).body.customerId).toBe(bobId);
    });
    moments.beforeMerge = await moment();
    await http.post(`/v1/customers/${annId}/merge`).send({ customerId: bobId }).expect(202);
    await http.post('/v1/touchpoints').send(touchpoint('social', bob)).expect(202);
    await untilPasses(async () => {
      expect((await timeline(annId)).items).toHaveLength(5);
    });
    moments.merged = await moment();
    await http.post(`/v1/customers/${annId}/unmerge`).send({ customerId: bobId }).expect(202);
    await untilPasses(async () => {
      expect((await timeline(bobId)).customerId).toBe(bobId);
    });
    headAtEnd = (await http.get('/health').expect(200)).body.log.head;
  });
  afterAll(() => app.close());

  it('answers the timeline as of a time: later merges, unmerges and touchpoints not applied', async () => {
    // Now: unmerged; bob has three touchpoints (the social one landed while merged).
    expect((await timeline(bobId)).items.map((e) => e.channel)).toEqual([
      'social',
      'email',
      'email',
    ]);
    const before = await timeline(bobId, `?asOf=${moments.beforeMerge}`);
    expect(before).toMatchObject({ customerId: bobId, nextCursor: null });
    expect(before).not.toHaveProperty('redirectedFrom');
    expect(before.items.map((e) => e.channel)).toEqual(['email', 'email']);
    expect(before.asOf?.position).toBeGreaterThan(0);
    expect(Date.parse(before.asOf?.recordedAt ?? '')).toBeLessThanOrEqual(
      Date.parse(moments.beforeMerge),
    );

    const merged = await timeline(bobId, `?asOf=${encodeURIComponent(moments.merged)}`);
    expect(merged).toMatchObject({ customerId: annId, redirectedFrom: bobId });
    expect(merged.items.map((e) => e.channel)).toEqual([
      'social',
      'email',
      'chat',
      'email',
      'email',
    ]);

    const nothing = await timeline(annId, `?asOf=${moments.start}`);
    expect(nothing).toMatchObject({ items: [], asOf: { position: 0, recordedAt: null } });
  });

  it('takes a log position as well, and pages with cursors as of it', async () => {
    const merged = await timeline(annId, `?asOf=${moments.merged}`);
    const position = merged.asOf?.position as number;
    expect(await timeline(annId, `?asOf=${position}`)).toEqual(merged);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await timeline(
        annId,
        `?asOf=${position}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      expect(page.asOf?.position).toBe(position);
      seen.push(...page.items.map((e) => e.position));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(merged.items.map((e) => e.position));
    expect(seen.every((p) => p <= position)).toBe(true);
  });

  it('answers the profile as of a time: counts, contacts and merges of then, no ideas', async () => {
    const before = (
      await http.get(`/v1/customers/${annId}?asOf=${moments.beforeMerge}`).expect(200)
    ).body;
    expect(before).toMatchObject({
      customerId: annId,
      identities: [ann],
      mergedCustomers: [],
      channels: ['chat', 'email'],
      touchpoints: 2,
      mergeHistory: [],
      timeline: `/v1/customers/${annId}/timeline?asOf=${before.asOf.position}`,
    });
    expect(before).not.toHaveProperty('ideas');
    const merged = (await http.get(`/v1/customers/${bobId}?asOf=${moments.merged}`).expect(200))
      .body;
    expect(merged).toMatchObject({
      customerId: annId,
      redirectedFrom: bobId,
      mergedCustomers: [bobId],
      touchpointsPerChannel: { chat: 1, email: 3, social: 1 },
      touchpoints: 5,
    });
    expect(merged.mergeHistory.map((m: { action: string }) => m.action)).toEqual(['merged']);
    const now = (await http.get(`/v1/customers/${annId}`).expect(200)).body;
    expect(now.mergeHistory.map((m: { action: string }) => m.action)).toEqual([
      'merged',
      'unmerged',
    ]);
    expect(now).not.toHaveProperty('asOf');
    await http.get(`/v1/customers/${annId}?asOf=${moments.start}`).expect(404);
  });

  it('finds a customer by identity as of a time', async () => {
    expect((await searchBob(`&asOf=${moments.beforeMerge}`).expect(200)).body).toMatchObject({
      customerId: bobId,
      timeline: expect.stringMatching(new RegExp(`^/v1/customers/${bobId}/timeline\\?asOf=\\d+$`)),
    });
    expect((await searchBob(`&asOf=${moments.merged}`).expect(200)).body.customerId).toBe(annId);
    expect((await searchBob().expect(200)).body.customerId).toBe(bobId);
    const none = await searchBob(`&asOf=${moments.start}`).expect(404);
    expect(none.body.detail).toMatch(/as of log position 0/);
  });

  it('refuses a malformed asOf, one in the future and one past the head: 400 problem+json', async () => {
    const refusals = [
      [
        `/v1/customers/${annId}/timeline?asOf=yesterday`,
        /must be a log position .* or an RFC 3339 time/,
      ],
      [`/v1/customers/${annId}?asOf=2026-01-01`, /RFC 3339/],
      [`/v1/customers?identity=email:ann@example.com&asOf=-3`, /log position/],
      [`/v1/customers/${annId}/timeline?asOf=2999-01-01T00:00:00Z`, /in the future/],
      [`/v1/customers/${annId}?asOf=${headAtEnd + 1000}`, /past the log's head/],
      [`/v1/customers?identity=email:ann@example.com&asOf=${headAtEnd + 1}`, /past the log's head/],
      [`/v1/customers/${annId}?asOf=1&asOf=2`, /more than once/],
    ] as const;
    for (const [url, detail] of refusals) {
      const res = await http.get(url).expect(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.detail).toMatch(detail);
    }
    const fields = await http.get(`/v1/customers/${annId}/timeline?asOf=soon`).expect(400);
    expect(fields.body.errors).toEqual([expect.objectContaining({ path: 'asOf' })]);
  });

  it('describes asOf on the three endpoints in OpenAPI', () => {
    const document = createOpenApiDocument(app);
    for (const path of ['/v1/customers/{id}/timeline', '/v1/customers/{id}', '/v1/customers']) {
      const parameters = document.paths[path]?.get?.parameters as { name: string }[];
      expect(parameters.map((p) => p.name)).toContain('asOf');
    }
  });
});
