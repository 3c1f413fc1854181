import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { AllInOneModule, createHttpApp, TIMELINE_PROJECTOR } from '@rapport/api';
import { parseInboundEvent, toLogEvent } from '@rapport/wire';
import { openEventStore, type RecordedEvent } from '@rapport/event-store';
import { ProjectionRunner, type RunningProjection } from '@rapport/read-models';
import { exportLog } from './export/export-log';
import { authorizedHttp, specConfig } from '@rapport/api/testing';

/**
 * Schema evolution end to end: a log written by an older release holds `survey.responded.v1`
 * events (no `channel`: v1 meant "survey" by leaving it out). Read through this release,
 * every path serves them as `survey.responded.v2`, channel explicit.
 */
describe('v1 events written by an older release are read in the newest version', () => {
  let dir: string;
  let url: string;
  const ann = 'ann.v1@example.com';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rapport-evolution-'));
    url = `sqlite:${join(dir, 'log.db')}`;
    // What the older release appended: its inbound survey, as a log event, stored as written.
    const raw = await openEventStore(url, { raw: true });
    for (const [i, score] of [9, 4].entries()) {
      const parsed = parseInboundEvent(
        {
          specversion: '1.0',
          id: `survey-${i}`,
          source: 'adapters/survey-tool',
          type: 'survey.responded.v1',
          time: `2026-02-0${i + 1}T10:00:00Z`,
          data: { identity: { kind: 'email', value: ann }, answer: { kind: 'nps', score } },
        },
        { now: new Date('2026-03-01T00:00:00Z') },
      );
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      const draft = toLogEvent(parsed.value);
      await raw.append(draft.streamId, [draft]);
    }
    const stored = await raw.readAll();
    await raw.close();
    expect(stored.map((e) => [e.type, 'channel' in (e.data as object)])).toEqual([
      ['survey.responded.v1', false],
      ['survey.responded.v1', false],
    ]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('through a projection', async () => {
    const store = await openEventStore(url);
    const seen: RecordedEvent[] = [];
    const runner = new ProjectionRunner(store, {
      name: 'recorder',
      checkpoint: async () => seen.at(-1)?.position ?? 0,
      applyBatch: async (events) => void seen.push(...events),
    });
    await runner.start();
    await runner.stop();
    await store.close();
    expect(seen.map((e) => [e.type, (e.data as { channel: string }).channel])).toEqual([
      ['survey.responded.v2', 'survey'],
      ['survey.responded.v2', 'survey'],
    ]);
  });

  it('through export', async () => {
    const store = await openEventStore(url);
    const out = join(dir, 'export.ndjson');
    await exportLog(store, {}, { format: 'ndjson', out });
    await store.close();
    const rows = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; channel: string; data: { channel: string } });
    expect(rows.map((r) => [r.type, r.channel, r.data.channel])).toEqual([
      ['survey.responded.v2', 'survey', 'survey'],
      ['survey.responded.v2', 'survey', 'survey'],
    ]);
  });

  it('through the HTTP API (the timeline, filtered by the channel v2 made explicit)', async () => {
    // A log of an older release holds plain identities: read as such (protection off).
    const config = await specConfig({ RAPPORT_PRIVACY: 'off' }, { eventStoreUrl: url });
    const app: INestApplication = await createHttpApp(AllInOneModule.forRoot(config), config);
    await app.init();
    try {
      await app.get<RunningProjection>(TIMELINE_PROJECTOR).waitFor(2, 10_000);
      const http = await authorizedHttp(app);
      const customer = await http.get(`/v1/customers?identity=email:${ann}`).expect(200);
      const id =
        (customer.body as { customerId?: string; id?: string }).customerId ??
        (customer.body as { id: string }).id;
      const page = await http.get(`/v1/customers/${id}/timeline?channel=survey`).expect(200);
      expect(
        (page.body as { items: { type: string; channel: string; survey: unknown }[] }).items.map(
          (e) => [e.type, e.channel, e.survey],
        ),
      ).toEqual([
        ['survey.responded', 'survey', { kind: 'nps', score: 4 }],
        ['survey.responded', 'survey', { kind: 'nps', score: 9 }],
      ]);
    } finally {
      await app.close();
    }
  });
});
