import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { describeWithServices } from '@rapport/testing';
import { newEvent, waitUntil } from '../contract/event-store-contract';
import { EventIdConflictError, InvalidAppendError, WrongExpectedRevisionError } from '../errors';
import { type AppendTransaction } from '../append-transaction';
import { type RecordedEvent } from '../event-store';
import { PostgresEventStore, postgresEventStoreFromUrl } from './postgres-event-store';
import { LATEST_SCHEMA_VERSION } from './postgres-schema';

/**
 * What the shared contract cannot see: the migration, LISTEN/NOTIFY across stores and
 * across a lost connection, the write path that is redone under the lock, and the storage
 * itself.
 */
describeWithServices(['postgres'], 'PostgreSQL event store (adapter specifics)', (urls) => {
  let admin: Client;
  const schemas: string[] = [];
  const stores: PostgresEventStore[] = [];
  const freshSchema = () => {
    const schema = `es_pg_${randomBytes(5).toString('hex')}`;
    schemas.push(schema);
    return schema;
  };
  const open = async (schema: string, pollIntervalMs?: number, url = urls.postgres) => {
    const store = await PostgresEventStore.open({
      connectionString: url,
      schema,
      pollIntervalMs,
    });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    admin = new Client({ connectionString: urls.postgres });
    await admin.connect();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  /** Follows the log from the start; `seen` fills as events arrive. */
  const follow = (store: PostgresEventStore) => {
    const seen: RecordedEvent[] = [];
    let caughtUp = false;
    const sub = store.subscribeToAll(
      {},
      { onEvents: (events) => void seen.push(...events), onCaughtUp: () => void (caughtUp = true) },
    );
    return { seen, sub, caughtUp: () => caughtUp };
  };

  it('migrates once when several processes open a new schema at the same time, and reopens without migrating', async () => {
    const schema = freshSchema();
    const opened = await Promise.all(Array.from({ length: 6 }, () => open(schema)));
    await opened[0].append('m', [newEvent()]);
    const migrations = await admin.query(
      `SELECT version, applied_at FROM "${schema}".schema_migrations ORDER BY version`,
    );
    expect(migrations.rows.map((r) => r.version)).toEqual(
      Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1),
    );
    await Promise.all(stores.splice(0).map((s) => s.close()));

    const again = await open(schema);
    expect((await again.readAll()).map((e) => e.streamId)).toEqual(['m']);
    const after = await admin.query(
      `SELECT version, applied_at FROM "${schema}".schema_migrations ORDER BY version`,
    );
    expect(after.rows).toEqual(migrations.rows);
  });

  it('opens a migrated schema with a role that may not create schemas (no DDL when up to date)', async () => {
    const schema = freshSchema();
    await open(schema);
    const role = `rapport_app_${randomBytes(4).toString('hex')}`;
    // A role with no CREATE on the database (PostgreSQL's default), given only what an
    // application needs on the log's tables (EXECUTE on functions is PUBLIC by default).
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    try {
      await admin.query(`GRANT USAGE ON SCHEMA "${schema}" TO ${role}`);
      await admin.query(
        `GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA "${schema}" TO ${role}`,
      );
      const url = new URL(urls.postgres);
      url.username = role;
      const store = await open(schema, undefined, url.toString());
      await store.append('least-privilege', [newEvent()]);
      expect(await store.headPosition()).toBe(1);
      // The same role cannot create a new log: the first open needs a migrating role.
      await expect(open(freshSchema(), undefined, url.toString())).rejects.toThrow(
        /permission denied/,
      );
    } finally {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      await admin.query(`DROP OWNED BY ${role}`);
      await admin.query(`DROP ROLE ${role}`);
    }
  });

  it('refuses a schema that a newer version has migrated, and malformed schema names', async () => {
    const schema = freshSchema();
    await open(schema);
    await admin.query(
      `INSERT INTO "${schema}".schema_migrations (version, description) VALUES ($1, 'from the future')`,
      [LATEST_SCHEMA_VERSION + 1],
    );
    await expect(open(schema)).rejects.toThrow(/newer than this code knows/);
    await expect(open('Robert"; DROP TABLE students')).rejects.toThrow(/lower-case identifier/);
    await expect(open('x'.repeat(49))).rejects.toThrow(/lower-case identifier/);
  });

  it('plans with custom plans on every pooled connection, set as a startup parameter', async () => {
    const store = await open(freshSchema());
    const modes: string[] = [];
    await Promise.all(
      Array.from({ length: 4 }, (_, n) =>
        store.append(`p${n}`, [newEvent()], 'any', {
          withinTransaction: async (tx) => {
            if (tx.kind !== 'postgres') throw new Error(tx.kind);
            modes.push((await tx.client.query('SHOW plan_cache_mode')).rows[0].plan_cache_mode);
          },
        }),
      ),
    );
    expect(modes).toEqual(Array(4).fill('force_custom_plan'));
  });

  it('opens from a URL, taking ?schema= out of what it hands to pg', async () => {
    const schema = freshSchema();
    const url = new URL(urls.postgres);
    url.searchParams.set('schema', schema);
    url.searchParams.set('application_name', 'rapport-url-test');
    const store = await postgresEventStoreFromUrl(url.toString());
    stores.push(store);
    await store.append('u', [newEvent()]);
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".events`);
    expect(rows[0].n).toBe(1);
    await expect(postgresEventStoreFromUrl('sqlite:./x.db')).rejects.toThrow(/postgres/);
  });

  it('wakes a subscriber of another store at once through NOTIFY, not the poll', async () => {
    const schema = freshSchema();
    const writer = await open(schema, 60_000);
    const reader = await open(schema, 60_000);
    const { seen, sub, caughtUp } = follow(reader);
    await waitUntil(caughtUp);
    const started = Date.now();
    await writer.append('n', [newEvent(), newEvent()]);
    await waitUntil(() => seen.length === 2, 5000);
    expect(Date.now() - started).toBeLessThan(5000);
    await sub.stop();
  });

  it('reconnects the listener after its connection is killed, and wakes subscribers again', async () => {
    const schema = freshSchema();
    const writer = await open(schema, 60_000);
    const reader = await open(schema, 60_000);
    const { seen, sub, caughtUp } = follow(reader);
    await waitUntil(caughtUp);
    // The first subscription started the listener, which connects in the background.
    await waitUntil(() => reader.stats().listenerConnections === 1);

    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1`,
      [`rapport-event-store-listener:${schema}`],
    );
    // The reader's listener only: a store without subscribers does not listen.
    expect(killed.rows.length).toBe(1);
    expect(writer.stats().listenerConnections).toBe(0);
    await waitUntil(() => reader.stats().listenerConnections === 2, 10_000);

    await writer.append('r', [newEvent()]);
    // Within far less than the 60 s poll: only the new LISTEN connection can have woken it.
    await waitUntil(() => seen.length === 1, 5000);
    await sub.stop();
  });

  /** Writers appending two events each to one stream at once, round after round. */
  const hammer = async (
    store: PostgresEventStore,
    stream: string,
    expected: 'any' | 'stream_exists',
    already = 0,
  ) => {
    const writers = 10;
    const rounds = 10;
    const answered = new Map<string, [number, number]>();
    for (let round = 0; round < rounds; round += 1) {
      const results = await Promise.all(
        Array.from({ length: writers }, (_, w) =>
          store.append(
            stream,
            [newEvent('hot.v1', { round, w }), newEvent('hot.v1', { round, w })],
            expected,
          ),
        ),
      );
      // Each writer's two events are adjacent, in its own order.
      for (const r of results) {
        for (const e of r.events) answered.set(e.id, [e.position, e.revision]);
        expect(r.events[1].revision).toBe(r.events[0].revision + 1);
        expect(r.events[1].position).toBe(r.events[0].position + 1);
        expect(r.position).toBe(r.events[1].position);
        expect(r.nextExpectedRevision).toBe(r.events[1].revision);
      }
    }
    const log = (await store.readStream(stream)).slice(already);
    // Redone or not, every append answered where its events really are.
    expect(new Map(log.map((e) => [e.id, [e.position, e.revision]]))).toEqual(answered);
    expect(log.map((e) => e.revision)).toEqual(
      Array.from({ length: writers * rounds * 2 }, (_, i) => i + already),
    );
    return log;
  };

  it('numbers appends to a hot stream with expected revision any under the lock: one call each, none redone', async () => {
    const store = await open(freshSchema());
    const log = await hammer(store, 'hot', 'any');
    expect(log.map((e) => e.position)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(store.stats()).toMatchObject({
      writes: 100,
      writesWithoutLookup: 100,
      rewritesUnderLock: 0,
    });
  });

  it('redoes under the lock the writes that a concurrent writer made stale, and all of them land', async () => {
    const store = await open(freshSchema());
    await store.append('other', [newEvent()]);
    await store.append('hot', [newEvent(), newEvent()], 'no_stream');
    // `stream_exists` is checked on a look-up, and concurrent writers make those stale.
    const log = await hammer(store, 'hot', 'stream_exists', 2);
    expect(log.map((e) => e.position)).toEqual(Array.from({ length: 200 }, (_, i) => i + 4));
    expect(store.stats().rewritesUnderLock).toBeGreaterThan(0);
  });

  it('plans a write from a look-up when its own plan was wrong, and answers as if it had looked', async () => {
    const store = await open(freshSchema());
    const first = [newEvent(), newEvent()];
    await store.append('s', first, 'no_stream');
    // A retry: the ids are in the log, so the call that assumed otherwise wrote nothing.
    const retry = await store.append('s', first, 'no_stream');
    expect(retry.events.map((e) => [e.revision, e.position, e.duplicate])).toEqual([
      [0, 1, true],
      [1, 2, true],
    ]);
    // A wrong expected revision: refused on the look-up.
    await expect(store.append('s', [newEvent()], 5)).rejects.toBeInstanceOf(
      WrongExpectedRevisionError,
    );
    // Half new, half known: the new half lands after the known one.
    const mixed = await store.append('s', [first[1], newEvent()], 'any');
    expect(mixed.events.map((e) => [e.revision, e.position, e.duplicate])).toEqual([
      [1, 2, true],
      [2, 3, false],
    ]);
    expect(store.stats()).toMatchObject({ writesWithoutLookup: 1, rewritesUnderLock: 0 });
    expect((await store.readAll()).map((e) => e.position)).toEqual([1, 2, 3]);
  });

  it('one event id raced into two streams: one append wins, the other is an EventIdConflictError', async () => {
    const store = await open(freshSchema());
    for (let round = 0; round < 10; round += 1) {
      const event = newEvent('race.v1', { round });
      const settled = await Promise.allSettled([
        store.append(`a-${round}`, [event]),
        store.append(`b-${round}`, [event]),
      ]);
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
      const [failure] = settled.filter((s) => s.status === 'rejected');
      expect((failure as PromiseRejectedResult).reason).toBeInstanceOf(EventIdConflictError);
    }
    expect(await store.headPosition()).toBe(10);
  });

  it('appendMany commits once: every row of the batch in one transaction, one timestamp', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    await store.append('before', [newEvent()]);
    const outcomes = await store.appendMany([
      { streamId: 'x', events: [newEvent(), newEvent()], expectedRevision: 'no_stream' },
      { streamId: 'y', events: [newEvent()], expectedRevision: 7 },
      { streamId: 'z', events: [newEvent()], expectedRevision: 'any' },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    const { rows } = await admin.query(
      `SELECT count(DISTINCT xmin::text)::int AS transactions, count(DISTINCT recorded_at)::int AS stamps,
              count(*)::int AS n
         FROM "${schema}".events WHERE position > 1`,
    );
    expect(rows[0]).toEqual({ transactions: 1, stamps: 1, n: 3 });
  });

  it("withinTransaction: the caller's rows commit with the events under the head lock, or roll back with them", async () => {
    const schema = freshSchema();
    const store = await open(schema);
    await admin.query(`CREATE TABLE "${schema}".caller_keys (subject text PRIMARY KEY)`);
    const insertKey = (subject: string) => async (tx: AppendTransaction) => {
      if (tx.kind !== 'postgres') throw new Error(`expected postgres, got ${tx.kind}`);
      // The head lock is held: this transaction has locked the log_head row.
      const { rows } = await tx.client.query(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
          WHERE l.pid = pg_backend_pid() AND c.relname = 'log_head' AND l.mode = 'RowShareLock'`,
      );
      expect(rows[0].n).toBe(1);
      await tx.client.query(`INSERT INTO "${schema}".caller_keys VALUES ($1)`, [subject]);
    };
    const first = newEvent();
    await store.append('a', [first], 'no_stream', { withinTransaction: insertKey('alice') });
    // Every request a duplicate or refused: the caller's rows still commit.
    const outcomes = await store.appendMany(
      [
        { streamId: 'a', events: [first], expectedRevision: 'no_stream' },
        { streamId: 'b', events: [newEvent()], expectedRevision: 3 },
      ],
      { withinTransaction: insertKey('bob') },
    );
    expect(outcomes.map((o) => o.ok)).toEqual([true, false]);
    await expect(
      store.append('c', [newEvent()], 'any', {
        withinTransaction: async (tx) => {
          await insertKey('carol')(tx);
          throw new Error('no key for carol');
        },
      }),
    ).rejects.toThrow('no key for carol');
    const { rows } = await admin.query(
      `SELECT k.subject, k.xmin::text = e.xmin::text AS with_event
         FROM "${schema}".caller_keys k LEFT JOIN "${schema}".events e ON e.position = 1
        ORDER BY k.subject`,
    );
    expect(rows).toEqual([
      { subject: 'alice', with_event: true },
      { subject: 'bob', with_event: false },
    ]);
    expect(await store.headPosition()).toBe(1);
  });

  it('a write that fails inside PostgreSQL consumes no position', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    await store.append('g', [newEvent()]);
    // A trigger stands in for any failure after the positions were assigned (disk full, …).
    await admin.query(`
      CREATE FUNCTION "${schema}".boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.type = 'boom.v1' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER boom BEFORE INSERT ON "${schema}".events
        FOR EACH ROW EXECUTE FUNCTION "${schema}".boom();`);
    await expect(store.append('g', [newEvent(), newEvent('boom.v1')])).rejects.toThrow('boom');
    await expect(
      store.appendMany([{ streamId: 'h', events: [newEvent('boom.v1')], expectedRevision: 'any' }]),
    ).rejects.toThrow('boom');
    expect(await store.headPosition()).toBe(1);
    const next = await store.append('g', [newEvent()], 0);
    expect(next.events[0]).toMatchObject({ position: 2, revision: 1 });
    expect((await store.readAll()).map((e) => e.position)).toEqual([1, 2]);
  });

  it('stores JSON as text (\\u0000 included) and binary data as bytea, and refuses text PostgreSQL cannot hold', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const bytes = Buffer.from([0x00, 0xff, 0xc3, 0x28, 0x00]);
    await store.append('s', [newEvent('j.v1', { t: 'a\u0000b' }), newEvent('b.v1', bytes)]);
    const { rows } = await admin.query(
      `SELECT data_json, data_binary FROM "${schema}".events ORDER BY position`,
    );
    expect(rows).toEqual([
      { data_json: '{"t":"a\\u0000b"}', data_binary: null },
      { data_json: null, data_binary: bytes },
    ]);
    await expect(store.append('nul\u0000', [newEvent()])).rejects.toBeInstanceOf(
      InvalidAppendError,
    );
    await expect(store.append('s', [newEvent('t\u0000.v1')])).rejects.toBeInstanceOf(
      InvalidAppendError,
    );
    await expect(store.append('lone-\ud800', [newEvent()])).rejects.toBeInstanceOf(
      InvalidAppendError,
    );
    await expect(store.append('ok-👋', [newEvent()])).resolves.toMatchObject({ position: 3 });
    // Line feeds inside JSON (sent joined by line feeds), binary data first, last and alone.
    const lines = newEvent('j.v1', { t: 'a\nb\r\n', '\n': ['\n'] }, { note: 'x\ny' });
    await store.append('t', [newEvent('b.v1', bytes), lines, newEvent('b.v1', bytes)]);
    await store.append('u', [newEvent('b.v1', bytes)]);
    const stored = await store.readAll({ after: 3 });
    expect(stored.map((e) => e.data)).toEqual([bytes, lines.data, bytes, bytes]);
    expect(stored[1].metadata).toEqual({ note: 'x\ny' });
  });

  it('stores event types with the characters of array literals as they are, and checks each new type', async () => {
    const store = await open(freshSchema());
    const types = [
      'a"b',
      'back\\slash\\',
      '{braces},comma',
      ' spaced ',
      'NULL',
      'line\nfeed',
      '"',
      '\\',
    ];
    await store.append(
      's',
      types.map((type) => newEvent(type)),
    );
    await store.appendMany([
      {
        streamId: 'r',
        events: [newEvent(types[0]), newEvent('other.v1')],
        expectedRevision: 'any',
      },
    ]);
    expect((await store.readAll()).map((e) => e.type)).toEqual([...types, types[0], 'other.v1']);
    // A refused type is not remembered as checked: refused again.
    for (const stream of ['s', 'r'])
      await expect(store.append(stream, [newEvent('t\u0000.v1')])).rejects.toBeInstanceOf(
        InvalidAppendError,
      );
  });

  it('close() stops subscriptions, the listener and the pool', async () => {
    const schema = freshSchema();
    const store = await open(schema, 60_000);
    const { sub } = follow(store);
    await store.append('c', [newEvent()]);
    const listening = async () =>
      (
        await admin.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`,
          [`rapport-event-store-listener:${schema}`],
        )
      ).rows[0].n;
    expect(await listening()).toBe(1);
    await store.close();
    await expect(sub.finished).resolves.toBeUndefined();
    // A terminated backend leaves pg_stat_activity a moment after its client has gone.
    const deadline = Date.now() + 5000;
    while ((await listening()) > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(await listening()).toBe(0);
    await expect(store.append('c', [newEvent()])).rejects.toThrow();
  });
});
