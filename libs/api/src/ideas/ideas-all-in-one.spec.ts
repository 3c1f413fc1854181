import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { type ReadModels } from '@rapport/read-models';
import { eventually } from '@rapport/testing';
import { createHttpApp } from '../http/create-http-app';
import { AllInOneModule } from '../platform/all-in-one.module';
import { READ_MODELS } from '../platform/tokens';
import { IDEA_BACKLOG } from './idea-tokens';
import { type AuthedHttp, authorizedHttp, specConfig } from '../http/embedded-http-app.spec-helper';

/** The idea loop in `rapport dev`'s shape: one process, SQLite log, memory read models, no Kafka. */
describe('idea loop, embedded (all in one process)', () => {
  let app: INestApplication;
  let http: AuthedHttp;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapport-ideas-'));
    const config = await specConfig({}, { eventStoreUrl: `sqlite:${join(dir, 'log.db')}` });
    app = await createHttpApp(AllInOneModule.forRoot(config), config);
    await app.init();
    http = await authorizedHttp(app);
  });
  afterAll(() => app.close());

  it('takes the backlog from the read models, the one way in (one Redis connection)', () => {
    expect(app.get(IDEA_BACKLOG)).toBe(app.get<ReadModels>(READ_MODELS).ideas);
  });

  const touchpoint = (id: string, channel: string, identity: object, metadata: object) => ({
    specversion: '1.0',
    id,
    source: 'tests/ideas',
    type: 'touchpoint.recorded.v1',
    time: '2026-03-01T09:00:00Z',
    data: { channel, direction: 'inbound', identity, content: { text: 'idea' }, metadata },
  });

  it('an idea from a chat touchpoint, a vote by e-mail, a status change → outbound touchpoints on both timelines', async () => {
    await http
      .post('/v1/touchpoints')
      .send(
        touchpoint(
          'c-1',
          'chat',
          { kind: 'chat', value: 'v-9' },
          { 'idea.action': 'submit', 'idea.title': 'Order by voice' },
        ),
      )
      .expect(202);
    const found = await eventually(
      async () => (await http.get('/v1/ideas?q=voice')).body as { items: { ideaId: string }[] },
      (b) => b.items?.length === 1,
      10_000,
    );
    const ideaId = found.items[0].ideaId;
    await http
      .post('/v1/touchpoints')
      .send(
        touchpoint(
          'm-1',
          'email',
          { kind: 'email', value: 'eve@example.com' },
          { 'idea.action': 'vote', 'idea.id': ideaId },
        ),
      )
      .expect(202);
    await eventually(
      async () => (await http.get(`/v1/ideas/${ideaId}`)).body as { voteCount: number },
      (b) => b.voteCount === 2,
      10_000,
    );
    const idea = (await http.get(`/v1/ideas/${ideaId}`).expect(200)).body as {
      supporters: string[];
    };

    await http
      .post(`/v1/ideas/${ideaId}/status`)
      .send({ to: 'under_review', staffId: 'lead' })
      .expect(200);
    const subjects: string[] = [];
    for (const customerId of idea.supporters) {
      const outbound = await eventually(
        async () =>
          (await http.get(`/v1/customers/${customerId}/timeline?direction=outbound`)).body as {
            items: { channel: string; subject?: string }[];
          },
        (b) => b.items?.length === 1,
        10_000,
      );
      subjects.push(outbound.items[0].subject ?? '');
    }
    // The author reads their own title back; the voter is not sent another person's words.
    expect(subjects.sort()).toEqual([
      'An idea you support is under review',
      'Your idea “Order by voice” is under review',
    ]);
    const channels = [];
    for (const customerId of idea.supporters)
      channels.push(
        (await http.get(`/v1/customers/${customerId}/timeline?direction=outbound`)).body.items[0]
          .channel,
      );
    expect(channels.sort()).toEqual(['chat', 'email']);
    const health = (await http.get('/health').expect(200)).body as {
      projections: { name: string }[];
    };
    expect(health.projections.map((p) => p.name)).toEqual(
      expect.arrayContaining(['timeline', 'ideas', 'idea-intake', 'idea-notifier']),
    );
  });

  it('customer merges: two ids of one person count once, cannot vote twice, and share their ideas', async () => {
    await http
      .post('/v1/touchpoints')
      .send(touchpoint('f-1', 'email', { kind: 'email', value: 'frank@example.com' }, {}))
      .expect(202);
    await http
      .post('/v1/touchpoints')
      .send(touchpoint('f-2', 'social', { kind: 'social', network: 'x', value: 'frank' }, {}))
      .expect(202);
    const idOf = async (identity: string) =>
      (
        await eventually(
          async () => await http.get(`/v1/customers?identity=${encodeURIComponent(identity)}`),
          (r) => r.status === 200,
          10_000,
        )
      ).body.customerId as string;
    const byMail = await idOf('email:frank@example.com');
    const bySocial = await idOf('social:x:frank');
    expect(byMail).not.toBe(bySocial);
    const ideaId = (
      await http
        .post('/v1/ideas')
        .send({ title: 'Gift cards', customerId: bySocial, staffId: 'agent' })
        .expect(201)
    ).body.ideaId;
    await http
      .post(`/v1/ideas/${ideaId}/votes`)
      .send({ customerId: byMail, staffId: 'agent' })
      .expect(201);
    expect((await http.get(`/v1/ideas/${ideaId}`).expect(200)).body.voteCount).toBe(2);

    await http
      .post(`/v1/customers/${byMail}/merge`)
      .send({ customerId: bySocial, staffId: 'lead' })
      .expect(202);
    const after = await eventually(
      async () =>
        (await http.get(`/v1/ideas/${ideaId}`)).body as { voteCount: number; supporters: string[] },
      (b) => b.voteCount === 1,
      10_000,
    );
    expect(after.supporters).toEqual([byMail]);
    const again = await http
      .post('/v1/ideas')
      .send({ title: 'x', customerId: bySocial, staffId: 'agent' })
      .expect(201);
    await http
      .post(`/v1/ideas/${again.body.ideaId}/votes`)
      .send({ customerId: byMail, staffId: 'agent' })
      .expect(409);
    const ideas = (await http.get(`/v1/customers/${byMail}/ideas`).expect(200)).body.items as {
      ideaId: string;
      role: string;
    }[];
    expect(ideas.find((i) => i.ideaId === ideaId)?.role).toBe('submitter');

    // The profile lists the person's ideas too, under the survivor and its merged id alike.
    for (const id of [byMail, bySocial]) {
      const profile = (await http.get(`/v1/customers/${id}`).expect(200)).body as {
        customerId: string;
        ideas: { ideaId: string; title: string; status: string; role: string }[];
      };
      expect(profile.customerId).toBe(byMail);
      expect(profile.ideas.map((i) => [i.ideaId, i.title, i.status, i.role]).sort()).toEqual(
        [
          [ideaId, 'Gift cards', 'new', 'submitter'],
          [again.body.ideaId, 'x', 'new', 'submitter'],
        ].sort(),
      );
    }
  });
});
