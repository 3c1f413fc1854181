import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { EVENT_STORE, TIMELINE_PROJECTOR } from '@rapport/api';
import { embeddedHttpApp } from '@rapport/api/testing';
import {
  type ChannelIdentity,
  customerIdFor,
  decideMerge,
  decideUnlink,
  EMPTY_IDENTITY_GRAPH,
  evolve,
  IDENTITY_GRAPH_STREAM,
  identityDecisionIdFor,
  type IdentityGraph,
  type IdentityGraphEvent,
  ideaCommented,
  ideaStreamId,
  ideaSubmitted,
  ideaVoted,
  type IdeaEvent,
  restartedCustomerIdFor,
  resolveTouchpointIdentities,
  touchpointIdentitiesOf,
} from '@rapport/domain';
import {
  type EventStore,
  openEventStore,
  SqliteEventStore,
  postgresEventStoreFromUrl,
} from '@rapport/event-store';
import { type RunningProjection } from '@rapport/read-models';
import {
  logWorkload,
  platformCustomerIdFor,
  platformIdentity,
  testServiceUrl,
  untilPasses,
} from '@rapport/testing';
import { parseInboundEvent, toLogEvent } from '@rapport/wire';
import { Client } from 'pg';
import { startCli } from './support/cli-process.spec-helper';

async function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const { out, exited } = startCli(args, cwd, env);
  const code = await exited;
  return { code, output: out.stdout + out.stderr };
}

const NOW = new Date('2026-03-01T00:00:00Z');
const ann: ChannelIdentity = { kind: 'email', value: 'ann.pseudo@example.com', verified: true };
const annPhone: ChannelIdentity = { kind: 'phone', value: '+4930555123', verified: true };
const carol: ChannelIdentity = { kind: 'email', value: 'carol.pseudo@example.org' };
const card: ChannelIdentity = { kind: 'card', value: 'CARD7781' };
const noreply: ChannelIdentity = { kind: 'email', value: 'noreply@shop.example' };
/** Every plain identity value of the log, and a phrase of each text: none may be stored in the clear. */
const PLAIN = [ann.value, annPhone.value, carol.value, card.value, noreply.value];
const TEXTS = {
  annEmail: 'Ann writes about the blue teapot 4471',
  annSms: 'Ann texts from her phone 5582',
  carolCard: 'Carol pays with her card 6693',
  cardAlone: 'The card is used by someone else 7704',
  survey: 'Carol answers the survey 8815',
  idea: 'A refill subscription for teapots 9926',
  comment: 'Ann comments on the refill idea 1037',
};

/**
 * A log as the release before pseudonymous keys wrote it: touchpoints (identities, customer
 * ids and streams from plain values) and the identity decisions for them, a staff merge of
 * Ann's phone customer into her e-mail one, an unlink of a card that started a customer of
 * its own (its next customer is a restarted id), a survey answer, an idea with a vote and a
 * customer's comment.
 */
async function writePlainLog(path: string): Promise<void> {
  const log = new SqliteEventStore({ path });
  let graph: IdentityGraph = EMPTY_IDENTITY_GRAPH;
  let graphRevision = -1;
  let seq = 0;
  const appendDecisions = async (
    events: readonly IdentityGraphEvent[],
    causeId: string,
    causePosition?: number,
  ) => {
    if (events.length === 0) return;
    const result = await log.append(
      IDENTITY_GRAPH_STREAM,
      events.map((event, index) => {
        graph = evolve(graph, event);
        return {
          id: identityDecisionIdFor(causeId, index),
          type: event.type,
          data: event.data,
          metadata: { causationId: causeId, ...(causePosition ? { causePosition } : {}) },
        };
      }),
      graphRevision < 0 ? 'no_stream' : graphRevision,
    );
    graphRevision = result.nextExpectedRevision;
  };
  const ingest = async (
    identities: ChannelIdentity[],
    text: string,
    channel: string,
    survey = false,
  ) => {
    seq += 1;
    const [identity, ...further] = identities;
    const parsed = parseInboundEvent(
      {
        specversion: '1.0',
        id: `plain-${seq}`,
        source: `adapters/${channel}`,
        type: survey ? 'survey.responded.v1' : 'touchpoint.recorded.v1',
        time: new Date(Date.UTC(2026, 1, 1, 9, seq)).toISOString(),
        // A CloudEvents subject naming the person: a personal field like any other.
        subject: `conversation with ${identity.value}`,
        data: survey
          ? { identity, answer: { kind: 'nps', score: 9 }, comment: text }
          : {
              channel,
              direction: 'inbound',
              identity,
              ...(further.length ? { identities: further } : {}),
              content: { text },
            },
      },
      { now: NOW },
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const draft = toLogEvent(parsed.value);
    const appended = await log.append(draft.streamId, [draft]);
    const resolution = resolveTouchpointIdentities(graph, touchpointIdentitiesOf(draft)!);
    if (!resolution.ok) throw new Error(JSON.stringify(resolution));
    await appendDecisions(resolution.value.events, draft.id, appended.position);
    return { id: draft.id };
  };
  const staff = async (decision: ReturnType<typeof decideMerge>) => {
    if (!decision.ok) throw new Error(JSON.stringify(decision));
    await appendDecisions(decision.value, randomUUID());
  };
  const by = { kind: 'staff' as const, staffId: 'staff-1' };
  const at = '2026-02-02T10:00:00.000Z';

  const annMail = await ingest([ann], TEXTS.annEmail, 'email');
  await ingest([annPhone], TEXTS.annSms, 'phone');
  await staff(
    decideMerge(graph, {
      survivorId: customerIdFor(ann),
      mergedId: customerIdFor(annPhone),
      by,
      at,
    }),
  );
  // The card starts a customer; Carol joins it; the card is unlinked from the customer it
  // started, so its next customer has a restarted id.
  await ingest([card], 'first seen with the card', 'in_person');
  await ingest([card, carol], TEXTS.carolCard, 'in_person');
  await staff(decideUnlink(graph, { identity: card, by, at }));
  await ingest([card], TEXTS.cardAlone, 'in_person');
  await ingest([carol], TEXTS.survey, 'survey', true);
  // Blocked by policy: in the new log's identity graph it carries `blocked: true`.
  await ingest([noreply], 'An automatic notice', 'email');

  const ideaId = randomUUID();
  const origin = {
    kind: 'touchpoint' as const,
    touchpointEventId: annMail.id,
    channel: 'email' as const,
  };
  const idea = (event: IdeaEvent) =>
    log.append(ideaStreamId(ideaId), [
      { id: randomUUID(), type: event.type, data: event.data, metadata: {} },
    ]);
  await idea(
    ideaSubmitted({ ideaId, title: TEXTS.idea, customerId: customerIdFor(ann), origin, at }),
  );
  await idea(ideaVoted({ ideaId, customerId: customerIdFor(carol), origin, at }));
  await idea(
    ideaCommented({
      ideaId,
      commentId: randomUUID(),
      author: { kind: 'customer', customerId: customerIdFor(ann) },
      text: TEXTS.comment,
      at,
    }),
  );
  await log.close();
}

/** The raw bytes of a SQLite log (file and WAL), after a checkpoint. */
async function sqliteBytes(path: string): Promise<Buffer> {
  await new SqliteEventStore({ path }).close();
  return Buffer.concat(
    [path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p)),
  );
}

function notFoundIn(bytes: Buffer, values: readonly string[]): string[] {
  return values.filter((v) => bytes.includes(Buffer.from(v)));
}

const IDENTITIES = [ann, annPhone, carol, card, noreply].map((i) => `${i.kind}:${i.value}`);

/** Each identity's customer (POST /v1/customers/lookup) and timeline excerpts, as a platform on the log shows them. */
async function peopleSeenBy(
  overrides: Parameters<typeof embeddedHttpApp>[0],
): Promise<Record<string, { customerId: string; excerpts: string[] }>> {
  const { app, http } = await embeddedHttpApp(overrides);
  try {
    await app.get<RunningProjection>(TIMELINE_PROJECTOR).waitFor(await headOf(app), 20_000);
    const seen: Record<string, { customerId: string; excerpts: string[] }> = {};
    for (const identity of IDENTITIES) {
      await untilPasses(async () => {
        const found = await http.post('/v1/customers/lookup').send({ identity }).expect(200);
        const customerId = (found.body as { customerId: string }).customerId;
        const page = await http.get(`/v1/customers/${customerId}/timeline?limit=100`).expect(200);
        const excerpts = (page.body as { items: { excerpt?: string }[] }).items
          .map((item) => item.excerpt ?? '')
          .sort();
        seen[identity] = { customerId, excerpts };
      }, 20_000);
    }
    return seen;
  } finally {
    await app.close();
  }
}

async function headOf(app: INestApplication): Promise<number> {
  return app.get<EventStore>(EVENT_STORE).headPosition();
}

describe('rapport pseudonymise-log', () => {
  jest.setTimeout(300_000);
  let dir: string;
  let plainPath: string;
  let plainUrl: string;
  let plainHead: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rapport-pseudonymise-'));
    plainPath = join(dir, 'plain.db');
    plainUrl = `sqlite:${plainPath}`;
    await writePlainLog(plainPath);
    const plain = new SqliteEventStore({ path: plainPath });
    plainHead = await plain.headPosition();
    await plain.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cardRestartedId = () => restartedCustomerIdFor(platformIdentity(card), 1);

  it('moves a plain SQLite log to a new SQLite log, verified, and the platform finds everyone by identity', async () => {
    const targetPath = join(dir, 'pseudonymous.db');
    const result = await runCli(
      ['pseudonymise-log', '--from', plainUrl, '--to', `sqlite:${targetPath}`, '--batch', '7'],
      dir,
    );
    expect(result.output).toContain(`verified: ${plainHead} events`);
    expect(result.code).toBe(0);
    expect(readdirCheckpoints(dir)).toEqual([]);

    // Neither the plain identities nor the texts are stored in the clear anywhere in the file.
    const bytes = await sqliteBytes(targetPath);
    expect(notFoundIn(bytes, [...PLAIN, ...Object.values(TEXTS)])).toEqual([]);
    // Nor any customer id derived from a plain identity.
    expect(notFoundIn(bytes, [ann, annPhone, carol, card].map(customerIdFor))).toEqual([]);
    expect(
      notFoundIn(bytes, [restartedCustomerIdFor(card, 1), restartedCustomerIdFor(carol, 1)]),
    ).toEqual([]);

    // The platform on the new log finds the same people by identity, under the re-derived
    // ids, with the same timelines as the platform on the plain log (a copy, protection off).
    copyFileSync(plainPath, join(dir, 'plain-copy.db'));
    const before = await peopleSeenBy({
      privacy: 'off',
      eventStoreUrl: `sqlite:${join(dir, 'plain-copy.db')}`,
    });
    const after = await peopleSeenBy({ eventStoreUrl: `sqlite:${targetPath}` });
    const newIdOf = new Map<string, string>();
    for (const identity of [ann, annPhone, carol, card, noreply]) {
      newIdOf.set(customerIdFor(identity), platformCustomerIdFor(identity));
      newIdOf.set(
        restartedCustomerIdFor(identity, 1),
        restartedCustomerIdFor(platformIdentity(identity), 1),
      );
    }
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const [identity, seen] of Object.entries(before)) {
      expect([identity, after[identity].customerId]).toEqual([
        identity,
        newIdOf.get(seen.customerId),
      ]);
      expect([identity, after[identity].excerpts]).toEqual([identity, seen.excerpts]);
    }
    // What that means here: Ann and her merged phone are one customer with both messages; the
    // card, unlinked from the customer it started, is found under its restarted id.
    const annId = platformCustomerIdFor(ann);
    expect(after[`phone:${annPhone.value}`].customerId).toBe(annId);
    expect(after[`email:${ann.value}`].excerpts).toEqual(
      expect.arrayContaining([TEXTS.annEmail, TEXTS.annSms]),
    );
    expect(after[`card:${card.value}`].customerId).toBe(cardRestartedId());
    expect(after[`card:${card.value}`].excerpts).toContain(TEXTS.cardAlone);

    // A log already pseudonymous is refused as a source.
    const again = await runCli(
      ['pseudonymise-log', '--from', `sqlite:${targetPath}`, '--to', `sqlite:${join(dir, 'x.db')}`],
      dir,
    );
    expect(again.code).toBe(2);
    expect(again.output).toMatch(/error: .*pseudonymous already/);
  });

  it('refuses a non-empty target and missing keys, as usage errors', async () => {
    const full = join(dir, 'full.db');
    const store = new SqliteEventStore({ path: full });
    await store.append('other', [{ id: randomUUID(), type: 'x.happened.v1', data: {} }]);
    await store.close();
    const notEmpty = await runCli(
      ['pseudonymise-log', '--from', plainUrl, '--to', `sqlite:${full}`],
      dir,
    );
    expect(notEmpty.code).toBe(2);
    expect(notEmpty.output).toMatch(/error: --to .* is not empty \(1 events\)/);

    const env = { ...process.env };
    for (const name of ['RAPPORT_MASTER_KEY', 'RAPPORT_IDENTITY_PEPPER', 'RAPPORT_PRIVACY'])
      delete env[name];
    const noKeys = await runCli(
      ['pseudonymise-log', '--from', plainUrl, '--to', `sqlite:${join(dir, 'nokeys.db')}`],
      dir,
      env,
    );
    expect(noKeys.code).toBe(2);
    expect(noKeys.output).toMatch(/error: pseudonymise-log .* RAPPORT_MASTER_KEY/);
    expect(existsSync(join(dir, 'nokeys.db'))).toBe(false);
  });

  it('moves a plain SQLite log into PostgreSQL, keys beside it, nothing plain in its tables', async () => {
    const postgres = testServiceUrl('postgres');
    if (!postgres) {
      if (process.env.CI === 'true') throw new Error('CI=true and PostgreSQL is missing');
      console.warn('SKIPPED: needs PostgreSQL');
      return;
    }
    const schema = `pseudo_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const url = new URL(postgres);
    url.searchParams.set('schema', schema);
    const result = await runCli(
      ['pseudonymise-log', '--from', plainUrl, '--to', url.toString()],
      dir,
    );
    expect(result.output).toContain(`verified: ${plainHead} events`);
    expect(result.code).toBe(0);

    const admin = new Client({ connectionString: postgres });
    await admin.connect();
    try {
      const dump = Buffer.from(
        JSON.stringify(
          (await admin.query(`SELECT * FROM "${schema}".events`)).rows.concat(
            (await admin.query(`SELECT * FROM "${schema}".streams`)).rows,
          ),
        ),
      );
      expect(notFoundIn(dump, [...PLAIN, ...Object.values(TEXTS)])).toEqual([]);
      const keys = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".subject_keys`);
      expect(keys.rows[0].n).toBeGreaterThan(0);
      // The same customers as in the SQLite move: one streams table, ids re-derived.
      const streams = (await admin.query(`SELECT stream_id FROM "${schema}".streams`)).rows.map(
        (r: { stream_id: string }) => r.stream_id,
      );
      expect(streams).toEqual(
        expect.arrayContaining([`customer-${platformCustomerIdFor(ann)}`, IDENTITY_GRAPH_STREAM]),
      );
      const target: EventStore = await postgresEventStoreFromUrl(url.toString());
      expect(await target.headPosition()).toBe(plainHead);
      await target.close();
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });

  it('resumes after a kill and reports its rate on a log of 20,000 events', async () => {
    const sourcePath = join(dir, 'large.db');
    const source = await openEventStore(`sqlite:${sourcePath}`, { raw: true });
    for (const batch of logWorkload({ touchpoints: 18_000, identities: 2_000, phoneEvery: 100 }))
      await source.appendMany(batch);
    const total = await source.headPosition();
    await source.close();
    const targetPath = join(dir, 'large-pseudonymous.db');
    const checkpointFile = join(dir, 'large.json');
    const args = [
      'pseudonymise-log',
      '--from',
      `sqlite:${sourcePath}`,
      '--to',
      `sqlite:${targetPath}`,
      '--batch',
      '500',
      '--checkpoint',
      checkpointFile,
    ];
    const first = startCli(args, dir);
    await untilPasses(async () => {
      const saved = existsSync(checkpointFile)
        ? (JSON.parse(readFileSync(checkpointFile, 'utf8')) as { checkpoint: number }).checkpoint
        : 0;
      expect(saved).toBeGreaterThanOrEqual(3000);
    }, 120_000);
    first.child.kill('SIGKILL');
    await first.exited;

    const resumed = await runCli(args, dir);
    expect(resumed.output).toMatch(/resuming after source position \d+/);
    expect(resumed.output).toContain(`verified: ${total} events`);
    expect(resumed.code).toBe(0);
    expect(existsSync(checkpointFile)).toBe(false);

    // Measured once, from scratch, for the docs: mapping, copy and verification.
    const startedAt = Date.now();
    const once = await runCli(
      [
        'pseudonymise-log',
        '--from',
        `sqlite:${sourcePath}`,
        '--to',
        `sqlite:${join(dir, 'timed.db')}`,
      ],
      dir,
    );
    const seconds = (Date.now() - startedAt) / 1000;
    expect(once.code).toBe(0);
    const copy = /pseudonymised (\d+) events .* (\d+) events\/s/.exec(once.output);
    console.log(
      `pseudonymise-log: ${total} events; copy ${copy?.[2]} events/s; whole command (mapping, copy, verification, start-up) ${seconds.toFixed(1)} s = ${Math.round(total / seconds)} events/s`,
    );
  });
});

function readdirCheckpoints(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith('.rapport-pseudonymise-'));
}
