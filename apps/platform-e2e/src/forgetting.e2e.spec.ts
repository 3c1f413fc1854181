import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TouchpointPublisher } from '@rapport/adapter-sdk';
import { type ChannelIdentity, ideaIdForTouchpoint, logEventIdFor } from '@rapport/domain';
import { kafkaFromUrl } from '@rapport/messaging';
import {
  cleanRebuildDump,
  liveModelsAt,
  readModelDump,
  unlinkKeysStartingWith,
} from '@rapport/read-models/internals';
import {
  describeWithServices,
  eventually,
  httpJson,
  openPlatformEventStore,
  platformCustomerIdFor,
  REPO_ROOT,
  type RunningProcess,
  startService,
  testRedis,
} from '@rapport/testing';
import { Client } from 'pg';
import { ensureE2eTopics, e2eTopics, removeE2eTopics } from './e2e-topics';
import { e2eAccess } from './e2e-access';

interface Health {
  log?: { head: number };
  projections: { name: string; position: number }[];
}

/**
 * The forgetting test (issue 18): a person with touchpoints on every channel, merged with
 * another customer, with an idea, a vote and a survey answer, a dead letter and notifications,
 * is erased; then every store the platform writes — the log's raw bytes (SQLite file or every
 * PostgreSQL table), every Redis key and value, the outbound and DLQ topics, and a full export
 * and replay of the log — is searched for their e-mail, phone and a phrase of their messages,
 * and for their wrapped data key. None is found; a rebuild from the log equals the live models.
 */
describeWithServices(['kafka', 'redis', 'postgres'], 'forgetting a person end to end', (urls) => {
  jest.setTimeout(300_000);

  for (const kind of ['sqlite', 'postgres'] as const) {
    describe(`on a ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} log`, () => {
      const run = `e2eforget${kind}${Date.now().toString(36)}`;
      const topics = e2eTopics(`${run}.`);
      const prefix = `rapport:${run}:`;
      const dir = mkdtempSync(join(tmpdir(), 'rapport-forget-'));
      const schema = run.replace(/[^a-z0-9]/g, '_');
      const eventStoreUrl =
        kind === 'sqlite' ? `sqlite:${join(dir, 'log.db')}` : `${urls.postgres}?schema=${schema}`;
      const env: Record<string, string> = {
        RAPPORT_BUS: `${urls.kafka}?topicPrefix=${topics.prefix}`,
        RAPPORT_EVENT_STORE: eventStoreUrl,
        RAPPORT_READ_MODELS: `${urls.redis}/0?prefix=${prefix}`,
      };
      let access: Awaited<ReturnType<typeof e2eAccess>>;
      const redis = testRedis(urls.redis);
      let ingestor: RunningProcess;
      let projector: RunningProcess;
      let queryApi: RunningProcess;
      let publisher: TouchpointPublisher;

      // Ada is forgotten; Bob is not, and must keep everything.
      const phrase = `lighthouse-${run}`;
      const adaMail = { kind: 'email', value: `ada.${run}@forget.example`, verified: true };
      const adaPhone = { kind: 'phone', value: '+49 30 9876 5432', verified: true };
      const adaVisitor = { kind: 'chat', value: `visitor-${run}` };
      const adaSocial = { kind: 'social', network: 'instagram', value: `ada_${run}` };
      const adaCard = { kind: 'card', value: `AD${run.slice(-6).toUpperCase()}42` };
      const bobMail = { kind: 'email', value: `bob.${run}@forget.example`, verified: true };
      const secrets = [adaMail.value, '9876 5432', '+493098765432', adaSocial.value, phrase];
      const adaId = platformCustomerIdFor({ kind: 'email', value: adaMail.value });
      const visitorId = platformCustomerIdFor(adaVisitor as ChannelIdentity);

      beforeAll(async () => {
        await ensureE2eTopics(urls.kafka, topics);
        access = await e2eAccess(env.RAPPORT_READ_MODELS);
        Object.assign(env, access.env);
        [ingestor, projector, queryApi] = await Promise.all([
          startService('ingestor', env),
          startService('projector', env),
          startService('query-api', env),
        ]);
        publisher = new TouchpointPublisher({
          kafkaUrl: urls.kafka,
          topicPrefix: topics.prefix,
          clientId: `${run}-adapter`,
          source: 'e2e/forget',
        });
        await publisher.connect();
      });

      afterAll(async () => {
        await publisher?.disconnect();
        await Promise.all([ingestor?.stop(), projector?.stop(), queryApi?.stop()]);
        await unlinkKeysStartingWith(redis, prefix);
        redis.disconnect();
        await removeE2eTopics(urls.kafka, topics);
      });

      let seconds = 0;
      let touches = 0;
      const time = () => new Date(Date.UTC(2026, 4, 1, 9, 0, ++seconds)).toISOString();
      const touch = (channel: string, identities: object[], text: string, metadata?: object) => {
        const [identity, ...further] = identities;
        return publisher.publish({
          id: `${run}-${++touches}`,
          time: time(),
          data: {
            channel,
            direction: 'inbound',
            identity,
            ...(further.length ? { identities: further } : {}),
            content: { subject: `About ${text}`, text },
            ...(metadata ? { metadata } : {}),
          } as never,
        });
      };
      const staff = (path: string, body: unknown, method = 'POST') =>
        httpJson<Record<string, unknown>>(`${ingestor.url}${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...access.staff },
          body: JSON.stringify(body),
        });

      /** The log is appended to past `after` and every projection and follower is at its head. */
      async function settled(after = 0): Promise<number> {
        const final = await eventually(
          async () => {
            const [a, b] = await Promise.all([
              httpJson<Health>(`${ingestor.url}/health`),
              httpJson<Health>(`${projector.url}/health`),
            ]);
            const head = a.body.log?.head ?? 0;
            return { head, behind: b.body.projections.filter((p) => p.position !== head) };
          },
          (s) => s.head > after && s.behind.length === 0,
          90_000,
          200,
        );
        expect(final.behind).toEqual([]);
        return final.head;
      }

      /** Every key and value under the run's prefix, as one string. */
      async function redisText(): Promise<string> {
        return JSON.stringify(await readModelDump(redis, prefix));
      }

      /** Every message (key, value, headers) of a topic, as one latin1 string. */
      async function topicText(topic: string, atLeast: number): Promise<string> {
        const kafka = kafkaFromUrl(urls.kafka, `${run}-reader`);
        const consumer = kafka.consumer({ groupId: `${run}-reader-${topic}-${Date.now()}` });
        const parts: string[] = [];
        let count = 0;
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            count += 1;
            parts.push(String(message.key ?? ''), message.value?.toString('latin1') ?? '');
            for (const [name, value] of Object.entries(message.headers ?? {}))
              parts.push(name, String(value ?? ''));
          },
        });
        await eventually(
          async () => count,
          (n) => n >= atLeast,
          30_000,
          200,
        );
        await new Promise((r) => setTimeout(r, 1000)); // anything after the last expected one
        await consumer.disconnect();
        expect(count).toBeGreaterThanOrEqual(atLeast);
        return parts.join('\n');
      }

      /** The log's bytes as stored: the SQLite files, or every row of every table of the schema. */
      async function logText(): Promise<string> {
        if (kind === 'sqlite')
          return readdirSync(dir)
            .map((name) => readFileSync(join(dir, name)).toString('latin1'))
            .join('\n');
        const client = new Client({ connectionString: urls.postgres });
        await client.connect();
        try {
          const tables = await client.query<{ table_name: string }>(
            'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
            [schema],
          );
          const rows: string[] = [];
          for (const { table_name } of tables.rows) {
            const result = await client.query(`SELECT * FROM "${schema}"."${table_name}"`);
            for (const row of result.rows)
              for (const value of Object.values(row))
                rows.push(
                  Buffer.isBuffer(value) ? value.toString('latin1') : JSON.stringify(value),
                );
          }
          return rows.join('\n');
        } finally {
          await client.end();
        }
      }

      /** The wrapped data keys of these subjects as stored, base64 (to look for after the erasure). */
      async function wrappedKeysOf(subjects: readonly string[]): Promise<string[]> {
        if (kind === 'sqlite') {
          const { default: Database } = await import('better-sqlite3');
          const db = new Database(join(dir, 'log.db'), { readonly: true });
          try {
            return subjects.flatMap((s) => {
              const row = db
                .prepare('SELECT wrapped FROM subject_keys WHERE subject_id = ?')
                .get(s) as { wrapped: Buffer } | undefined;
              return row ? [row.wrapped.toString('latin1')] : [];
            });
          } finally {
            db.close();
          }
        }
        const client = new Client({ connectionString: urls.postgres });
        await client.connect();
        try {
          const result = await client.query<{ wrapped: Buffer }>(
            `SELECT wrapped FROM "${schema}".subject_keys WHERE subject_id = ANY($1)`,
            [subjects],
          );
          return result.rows.map((r) => r.wrapped.toString('latin1'));
        } finally {
          await client.end();
        }
      }

      /** Runs `rapport <args>` against the run's log; resolves with its exit code and output. */
      function cli(args: string[]): Promise<{ code: number | null; output: string }> {
        return new Promise((resolve) => {
          const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/rapport'), ...args], {
            cwd: dir,
            env: { ...process.env, ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let output = '';
          child.stdout.on('data', (d: Buffer) => (output += d.toString()));
          child.stderr.on('data', (d: Buffer) => (output += d.toString()));
          child.on('exit', (code) => resolve({ code, output }));
        });
      }

      const findIn = (text: string, needles: readonly string[]) =>
        needles.filter((needle) => text.includes(needle));

      it('leaves no trace of the person anywhere, and a rebuild equals the live models', async () => {
        // Ada on every channel; her chat visitor first as a customer of its own. Each channel
        // is its own topic: every touchpoint is settled before the next, so the order holds.
        let head = 0;
        const step = async (sent: Promise<unknown>) => {
          await sent;
          head = await settled(head);
        };
        await step(touch('chat', [adaVisitor], `${phrase}: hello from the chat`));
        await step(touch('email', [adaMail, adaPhone], `${phrase}: my order never came`));
        await step(touch('phone', [adaPhone], `${phrase}: calling about the order`));
        await step(touch('social', [adaSocial, adaMail], `${phrase}: still waiting`));
        await step(touch('in_person', [adaCard, adaMail], `${phrase}: at the shop`));
        // The visitor logs in (a chat widget cannot verify e-mail): a suggestion, merged by staff.
        await step(
          touch('chat', [adaVisitor, adaMail], `${phrase}: it's me again`, {
            'idea.action': 'submit',
            'idea.title': `Tracking links (${phrase})`,
          }),
        );
        await step(touch('email', [bobMail], 'Bob has a question too'));
        expect(
          (await staff(`/v1/customers/${adaId}/merge`, { customerId: visitorId })).status,
        ).toBe(202);
        // Her survey answer, over HTTP; Bob votes for her idea; a poison message naming her.
        const survey = await httpJson(`${ingestor.url}/v1/touchpoints`, {
          method: 'POST',
          headers: { 'content-type': 'application/cloudevents+json', ...access.adapter },
          body: JSON.stringify({
            specversion: '1.0',
            id: `${run}-survey`,
            source: 'e2e/forget',
            type: 'survey.responded.v2',
            time: time(),
            data: {
              identity: adaMail,
              channel: 'email',
              answer: { kind: 'nps', score: 3 },
              comment: `${phrase}: slow delivery`,
            },
          }),
        });
        expect(survey.status).toBe(202);
        const ideaId = ideaIdForTouchpoint(logEventIdFor('e2e/forget', `${run}-6`));
        await touch('email', [bobMail], 'I want that too', {
          'idea.action': 'vote',
          'idea.id': ideaId,
        });
        /** A message the ingestor refuses (`direction` is not a direction), naming her. */
        const poison = async (id: string) => {
          const producer = kafkaFromUrl(urls.kafka, `${run}-poison`).producer();
          await producer.connect();
          await producer.send({
            topic: topics.touchpoint('email'),
            acks: -1,
            messages: [
              {
                key: 'poison',
                value: JSON.stringify({
                  specversion: '1.0',
                  id,
                  source: 'e2e/forget',
                  type: 'touchpoint.recorded.v1',
                  time: time(),
                  data: {
                    channel: 'email',
                    direction: 42,
                    identity: adaMail,
                    content: { text: phrase },
                  },
                }),
                headers: { 'content-type': 'application/cloudevents+json' },
              },
            ],
          });
          await producer.disconnect();
        };
        await poison(`${run}-poison`);
        head = await settled(head);
        // The idea loop runs beside the projections: the idea and Bob's vote are in the backlog.
        const idea = await eventually(
          () =>
            httpJson<{ voteCount?: number }>(`${queryApi.url}/v1/ideas/${ideaId}`, {
              headers: access.staff,
            }),
          (r) => r.status === 200 && r.body.voteCount === 2,
          60_000,
          200,
        );
        expect([idea.status, idea.body.voteCount]).toEqual([200, 2]);
        const reviewed = await staff(`/v1/ideas/${ideaId}/status`, { to: 'under_review' });
        expect(reviewed.status).toBeLessThan(300);
        head = await settled(head);

        // Before: she is there, readable (so the searches below can fail).
        const read = (path: string) =>
          httpJson(`${queryApi.url}${path}`, { headers: access.staff });
        const profile = await read(`/v1/customers/${visitorId}`);
        expect(profile.status).toBe(200);
        expect(JSON.stringify(profile.body)).toContain(adaMail.value); // shown to staff, revealed
        expect(findIn(await redisText(), secrets)).toEqual(expect.arrayContaining([phrase]));
        const outboundBefore = await topicText(topics.outbound, 2);
        expect(findIn(outboundBefore, secrets)).toEqual([]); // sealed from the start
        const keysBefore = await wrappedKeysOf([adaId, visitorId]);
        expect(keysBefore.length).toBeGreaterThan(0);

        // Forget her.
        const erased = await staff(`/v1/customers/${visitorId}`, { reason: 'GDPR #e2e' }, 'DELETE');
        expect(erased.status).toBe(202);
        expect(erased.body).toMatchObject({ customerId: adaId });
        expect(erased.body.erasedCustomerIds).toEqual(expect.arrayContaining([adaId, visitorId]));
        await settled(head - 1);

        // After: nowhere.
        for (const path of [`/v1/customers/${adaId}`, `/v1/customers/${visitorId}`])
          expect([path, (await read(path)).status]).toEqual([path, 404]);
        expect((await read(`/v1/customers/${adaId}/closeness`)).status).toBe(404);
        expect(findIn(await logText(), [...secrets, ...keysBefore])).toEqual([]);
        expect(findIn(await redisText(), secrets)).toEqual([]);
        expect(findIn(await topicText(topics.outbound, 2), secrets)).toEqual([]);
        expect(findIn(await topicText(topics.dlq, 1), secrets)).toEqual([]);
        // Refused after the erasure, while her identities are suppressed: the dead letter says
        // why and keeps no value, and she gets no new key.
        await poison(`${run}-poison-after`);
        const letters = await topicText(topics.dlq, 2);
        expect(letters).toContain('rapport-suppressed');
        expect(findIn(letters, secrets)).toEqual([]);
        expect(await wrappedKeysOf([adaId, visitorId])).toEqual([]);
        const exported = await cli([
          'export',
          '--store',
          eventStoreUrl,
          '--format',
          'ndjson',
          '--out',
          join(dir, 'export.jsonl'),
          '--no-progress',
        ]);
        expect([exported.code, exported.output]).toEqual([0, expect.any(String)]);
        const exportText = readFileSync(join(dir, 'export.jsonl'), 'utf8');
        expect(exportText).toContain('"erased":true');
        expect(findIn(exportText, secrets)).toEqual([]);
        // Bob keeps everything.
        expect(exportText).toContain('Bob has a question too');

        // A replay of the whole log still completes.
        const replayed = await cli([
          'replay',
          '--store',
          eventStoreUrl,
          '--into',
          `kafka:${topics.prefix}replay`,
          '--from',
          '1',
          '--kafka',
          urls.kafka,
          '--no-progress',
        ]);
        expect([replayed.code, replayed.output]).toEqual([0, expect.stringContaining('published')]);

        // The erased person is in no read model, and a rebuild from the log equals the live ones.
        const store = await openPlatformEventStore(eventStoreUrl);
        try {
          await liveModelsAt(redis, prefix, await store.headPosition());
          const clean = await cleanRebuildDump(store, redis, prefix);
          const live = await readModelDump(redis, prefix);
          expect(Object.keys(live).length).toBeGreaterThan(10);
          expect(live).toEqual(clean);
          const text = JSON.stringify(live);
          expect(findIn(text, secrets)).toEqual([]);
          expect(text).toContain('Bob has a question too');
        } finally {
          await store.close();
        }
      });
    });
  }
});
