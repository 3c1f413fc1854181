import { type INestApplication, Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { RapportConfigModule } from '../config/rapport-config.module';
import { createHttpApp, createOpenApiDocument } from '../http/create-http-app';
import { EventStoreModule } from '../platform/event-store.module';
import { ReadModelsModule } from '../platform/read-models.module';
import {
  IdeaBacklogModule,
  IdeaBacklogProjectionModule,
  IdeaCommandsHttpModule,
  IdeaQueriesHttpModule,
} from './ideas.module';
import { type AuthedHttp, authorizedHttp, specConfig } from '../http/embedded-http-app.spec-helper';

describe('ideas HTTP API (embedded: SQLite in memory, memory backlog)', () => {
  let app: INestApplication;
  let http: AuthedHttp;

  beforeAll(async () => {
    const config = await specConfig({}, { eventStoreUrl: 'sqlite::memory:' });
    @Module({
      imports: [
        RapportConfigModule.forRoot(config),
        EventStoreModule.forRoot(config),
        ReadModelsModule.forRoot(config),
        AccessModule.forRoot(config),
        IdeaBacklogModule,
        IdeaBacklogProjectionModule,
        IdeaCommandsHttpModule,
        IdeaQueriesHttpModule,
      ],
    })
    class TestModule {}
    app = await createHttpApp(TestModule, config);
    await app.init();
    http = await authorizedHttp(app);
  });
  afterAll(() => app.close());

  const submit = (body: Record<string, unknown>) => http.post('/v1/ideas').send(body);

  it('runs an idea through its workflow, with votes, comments, search and ranking', async () => {
    const dark = await submit({ title: 'Dark mode', customerId: 'ann', staffId: 'agent-1' }).expect(
      201,
    );
    const id = dark.body.ideaId as string;
    expect(dark.body).toMatchObject({ revision: 1, position: expect.any(Number) });
    const other = await submit({
      title: 'Gift wrap',
      customerId: 'cy',
      touchpointEventId: 'tp-1',
      channel: 'chat',
    }).expect(201);

    await http
      .post(`/v1/ideas/${id}/votes`)
      .send({ customerId: 'bob', touchpointEventId: 'mail-1', channel: 'email' })
      .expect(201);
    await http
      .post(`/v1/ideas/${id}/votes`)
      .send({ customerId: 'dan', staffId: 'agent-1' })
      .expect(201);
    const twice = await http
      .post(`/v1/ideas/${id}/votes`)
      .send({ customerId: 'bob', staffId: 'agent-1' })
      .expect(409);
    expect(twice.headers['content-type']).toContain('application/problem+json');
    expect(twice.body.errors[0]).toMatchObject({ code: 'already-voted', path: 'customerId' });

    const comment = await http
      .post(`/v1/ideas/${id}/comments`)
      .send({ customerId: 'bob', text: 'Please!' })
      .expect(201);
    expect(comment.body.commentId).toEqual(expect.any(String));

    await http
      .post(`/v1/ideas/${id}/status`)
      .send({ to: 'under_review', staffId: 'lead-1' })
      .expect(200);
    const illegal = await http
      .post(`/v1/ideas/${id}/status`)
      .send({ to: 'shipped', staffId: 'lead-1' })
      .expect(422);
    expect(illegal.body.errors[0]).toMatchObject({
      code: 'illegal-transition',
      status: 'under_review',
      allowed: ['planned', 'declined'],
    });
    const noReason = await http
      .post(`/v1/ideas/${other.body.ideaId}/status`)
      .send({ to: 'declined', staffId: 'lead-1' })
      .expect(400);
    expect(noReason.body.errors[0].code).toBe('reason-required');

    const list = await http.get('/v1/ideas?status=new,under_review&sort=priority').expect(200);
    expect(
      list.body.items.map((i: { title: string; votes: number }) => [i.title, i.votes]),
    ).toEqual([
      ['Dark mode', 3],
      ['Gift wrap', 1],
    ]);
    expect((await http.get('/v1/ideas?q=gift').expect(200)).body.items).toHaveLength(1);
    // No closeness read model here: every supporter weighs 1.
    const weighted = await http.get('/v1/ideas?priority=closeness').expect(200);
    expect(weighted.body.items.map((i: { priority: number }) => i.priority)).toEqual([3, 1]);
    expect((await http.get('/v1/ideas?status=planned').expect(200)).body.items).toEqual([]);
    expect(
      (await http.get('/v1/ideas?sort=trend&trendDays=7').expect(200)).body.items[0].trend,
    ).toBe(3);

    const one = await http.get(`/v1/ideas/${id}`).expect(200);
    expect(one.body).toMatchObject({
      title: 'Dark mode',
      status: 'under_review',
      voteCount: 3,
      supporters: ['ann', 'bob', 'dan'],
    });
    expect(one.body.comments).toHaveLength(1);
    expect(one.body.history.map((h: { status: string }) => h.status)).toEqual([
      'new',
      'under_review',
    ]);
    expect(
      one.body.votes.find((v: { customerId: string }) => v.customerId === 'dan').origin,
    ).toEqual({ kind: 'staff', staffId: 'staff-test' }); // the token's subject, not the body's

    await http.delete(`/v1/ideas/${id}/votes/dan?staffId=agent-1`).expect(200);
    expect((await http.get(`/v1/ideas/${id}`).expect(200)).body.voteCount).toBe(2);

    const mine = await http.get('/v1/customers/bob/ideas').expect(200);
    expect(mine.body.items).toEqual([expect.objectContaining({ ideaId: id, role: 'supporter' })]);
  });

  it('merges a duplicate: supporters united, the old id redirects', async () => {
    const a = (await submit({ title: 'Night theme', customerId: 'x1', staffId: 's' }).expect(201))
      .body.ideaId;
    const b = (await submit({ title: 'Dark theme', customerId: 'x2', staffId: 's' }).expect(201))
      .body.ideaId;
    await http.post(`/v1/ideas/${a}/merge`).send({ intoIdeaId: b, staffId: 's' }).expect(200);
    const merged = await http.get(`/v1/ideas/${a}`).expect(200);
    expect(merged.body).toMatchObject({
      ideaId: b,
      redirectedFrom: a,
      voteCount: 2,
      mergedFrom: [a],
    });
    const again = await http
      .post(`/v1/ideas/${a}/votes`)
      .send({ customerId: 'x3', staffId: 's' })
      .expect(409);
    expect(again.body.errors[0]).toMatchObject({ code: 'idea-merged', redirectTo: b });
    await http.post(`/v1/ideas/${b}/merge`).send({ intoIdeaId: b, staffId: 's' }).expect(422);
  });

  it('answers 409 to a stale expectedRevision, 404 to an unknown idea, 400 to a bad body or query', async () => {
    const id = (
      await submit({ title: 'Loyalty card in wallet', customerId: 'z', staffId: 's' }).expect(201)
    ).body.ideaId;
    const conflict = await http
      .post(`/v1/ideas/${id}/status`)
      .send({ to: 'under_review', staffId: 's', expectedRevision: 0 })
      .expect(409);
    expect(conflict.body.errors[0].path).toBe('expectedRevision');
    await http
      .post(`/v1/ideas/${id}/status`)
      .send({ to: 'under_review', staffId: 's', expectedRevision: 1 })
      .expect(200);
    await http.post('/v1/ideas/nope/votes').send({ customerId: 'z', staffId: 's' }).expect(404);
    await http.get('/v1/ideas/nope').expect(404);
    const bad = await submit({ title: '', customerId: 'z', staffId: 's', extra: 1 }).expect(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['extra', 'title']);
    // No actor named: the caller submits on the customer's behalf.
    const mine = await submit({ title: 'x', customerId: 'z' }).expect(201);
    const origin = (await http.get(`/v1/ideas/${mine.body.ideaId}`).expect(200)).body;
    expect(JSON.stringify(origin)).toContain('staff-test');
    await http.get('/v1/ideas?sort=random&status=nope').expect(400);
  });

  it('answers 400, never 500, to repeated query keys, nulls and odd fields; 409 to a reused touchpoint', async () => {
    // `?status=new&status=new` answered 500 before the query went through a DTO (issue 15).
    const twice = await http.get('/v1/ideas?status=new&status=new').expect(400);
    expect(twice.body).toMatchObject({
      detail: 'bad query: status: given more than once',
      errors: [{ path: 'status', message: 'given more than once' }],
    });
    const unknown = await http.get('/v1/ideas?colour=red').expect(400);
    expect(unknown.body.errors[0].message).toMatch(
      /^not a parameter of this endpoint; allowed: status, sort/,
    );
    await http.get('/v1/ideas?limit=1e1').expect(400);
    const ok = { title: 'Gift cards', customerId: 'z', staffId: 's' };
    for (const odd of [{ description: null }, { expectedRevision: null }, { constructor: null }])
      await submit({ ...ok, ...odd }).expect(400);
    await http.delete(`/v1/ideas/x/votes/${'c'.repeat(129)}?staffId=s`).expect(400);
    await http.delete('/v1/ideas/x/votes/z?staffId=s&staffId=t').expect(400);
    // A retry of a submit from a touchpoint, without an idea id: the touchpoint counts once.
    const viaChat = {
      title: 'Gift cards',
      customerId: 'z',
      touchpointEventId: 'tp-reused',
      channel: 'chat',
    };
    const first = await submit(viaChat).expect(201);
    const again = await submit(viaChat).expect(409);
    expect(again.body.detail).toBe(
      `this touchpoint was already used for idea ${first.body.ideaId}`,
    );
  });

  it('describes every idea endpoint in the OpenAPI document', () => {
    const document = createOpenApiDocument(app);
    expect(Object.keys(document.paths).sort()).toEqual(
      expect.arrayContaining([
        '/v1/ideas',
        '/v1/ideas/{id}',
        '/v1/ideas/{id}/votes',
        '/v1/ideas/{id}/votes/{customerId}',
        '/v1/ideas/{id}/comments',
        '/v1/ideas/{id}/status',
        '/v1/ideas/{id}/merge',
        '/v1/ideas/{id}/rice',
        '/v1/customers/{id}/ideas',
      ]),
    );
    expect(document.components?.schemas).toHaveProperty('SubmitIdeaDto');
    expect(document.paths['/v1/ideas/{id}/status'].post?.responses).toHaveProperty('422');
  });
});
