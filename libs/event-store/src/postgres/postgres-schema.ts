import { type Pool } from 'pg';

/**
 * A schema name the store accepts: a plain lower-case SQL identifier, short enough that
 * the notification channel derived from it (`<schema>_appended`) fits PostgreSQL's
 * 63-byte identifier limit.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(
      `PostgreSQL event store: schema ${JSON.stringify(schema)} must be a lower-case identifier of at most 48 characters ([a-z_][a-z0-9_]*)`,
    );
  }
}

/** Quotes an identifier (the names used here are checked, quoting is belt and braces). */
export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

interface Migration {
  readonly version: number;
  readonly description: string;
  /** SQL in the store's schema; `$S` stands for the quoted schema name. */
  readonly sql: string;
}

/**
 * The schema, as numbered migrations. Never edit a released migration: add the next one.
 *
 * - `log_head` is a single row holding the position of the last event. Every append locks
 *   it and takes its positions from it
 *   (docs/decisions/0007-gap-free-log-positions-in-commit-order.md).
 * - `streams` holds each stream's last revision, so an append reads one row instead of
 *   `MAX(revision)` over the stream.
 * - `events` is the log. Data is JSON text (`data_json`) or raw bytes (`data_binary`),
 *   exactly one of them; metadata is JSON text
 *   (docs/decisions/0008-text-not-jsonb-in-postgresql.md).
 * - `append_events` writes a planned append under the head lock
 *   (docs/decisions/0024-postgresql-appends-under-a-short-head-lock.md); version 2's
 *   `append_planned_events` does it for a plan made without a look-up, numbering the
 *   revisions of `any` streams under the lock
 *   (docs/decisions/0038-postgresql-appends-in-one-round-trip.md).
 */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'log head, streams, events, append_events',
    sql: `
CREATE TABLE $S.log_head (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  position   bigint  NOT NULL CHECK (position >= 0)
);
INSERT INTO $S.log_head (position) VALUES (0);

CREATE TABLE $S.streams (
  stream_id  text   PRIMARY KEY,
  revision   bigint NOT NULL CHECK (revision >= 0)
);

CREATE TABLE $S.events (
  position     bigint      PRIMARY KEY CHECK (position >= 1),
  event_id     uuid        NOT NULL,
  stream_id    text        NOT NULL,
  revision     bigint      NOT NULL CHECK (revision >= 0),
  type         text        NOT NULL,
  data_json    text,
  data_binary  bytea,
  metadata     text        NOT NULL,
  recorded_at  timestamptz NOT NULL,
  CONSTRAINT events_event_id_unique UNIQUE (event_id),
  CONSTRAINT events_stream_revision_unique UNIQUE (stream_id, revision),
  CHECK (num_nonnulls(data_json, data_binary) = 1)
);

-- Writes an append planned by the client: locks the log head (held until the commit),
-- checks that every stream written to is still at the revision the plan was made
-- against, and numbers the events head + 1 ... head + n. Raises serialization_failure when
-- the plan is stale, and a unique violation on events_event_id_unique when one of its
-- event ids was appended meanwhile; either way nothing is written, and the client plans
-- again under the lock. Returns the head position before the append.
CREATE FUNCTION $S.append_events(
  p_streams        text[],    -- the streams written to,
  p_seen_revisions bigint[],  -- their revisions when the plan was made (-1: no stream),
  p_next_revisions bigint[],  -- and after this append
  p_offsets        bigint[],  -- each event's position relative to the head (1 ... n)
  p_event_ids      uuid[],
  p_stream_ids     text[],
  p_revisions      bigint[],
  p_types          text[],
  p_data_json      text[],
  p_data_binary    bytea[],
  p_metadata       text[],
  p_channel        text
) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_head bigint;
  v_at   timestamptz;
BEGIN
  SELECT position INTO v_head FROM $S.log_head FOR UPDATE;
  -- A volatile function takes a new snapshot for each statement (READ COMMITTED), so from
  -- here on it sees everything the previous holder of the lock committed.
  v_at := clock_timestamp();
  IF EXISTS (
    SELECT 1
      FROM unnest(p_streams, p_seen_revisions) AS seen (stream_id, revision)
      LEFT JOIN $S.streams AS s ON s.stream_id = seen.stream_id
     WHERE coalesce(s.revision, -1) <> seen.revision
  ) THEN
    RAISE EXCEPTION 'a stream changed since the append was planned'
      USING ERRCODE = 'serialization_failure';
  END IF;
  INSERT INTO $S.events
    (position, event_id, stream_id, revision, type, data_json, data_binary, metadata, recorded_at)
  SELECT v_head + e.o, e.id, e.s, e.r, e.t, e.j, e.b, e.m, v_at
    FROM unnest(p_offsets, p_event_ids, p_stream_ids, p_revisions, p_types, p_data_json,
                p_data_binary, p_metadata) AS e (o, id, s, r, t, j, b, m);
  INSERT INTO $S.streams (stream_id, revision)
  SELECT * FROM unnest(p_streams, p_next_revisions)
  ON CONFLICT (stream_id) DO UPDATE SET revision = EXCLUDED.revision;
  UPDATE $S.log_head SET position = v_head + cardinality(p_offsets);
  -- Delivered at commit, and only if the transaction commits.
  PERFORM pg_notify(p_channel, (v_head + cardinality(p_offsets))::text);
  RETURN v_head;
END
$fn$;`,
  },
  {
    version: 2,
    description:
      'append_planned_events: one round trip, revisions of any-streams numbered under the lock',
    sql: `
-- Writes an append planned by the client without reading the log first (or on a snapshot
-- read before): locks the log head (held until the commit), finds the revision of every
-- stream written to, and numbers the events head + 1 ... head + n in the order given.
-- A stream whose revision the plan relied on (p_exact: an expected revision was checked,
-- or the plan was made from a look-up of the stream) must still be at p_planned_from, or
-- the call raises serialization_failure; the revisions of the other streams (appended
-- to with expected revision any only) are shifted by what the stream really holds. An
-- event id already in the log raises a unique violation on events_event_id_unique.
-- Either way nothing is written and the client plans again from a look-up. Returns the
-- head before the append, then each stream's shift (actual - planned from), in order.
-- JSON texts come joined by line feeds, one text for all the events, which costs neither
-- side any escaping: JSON.stringify never writes a raw line feed (it escapes every control
-- character), and JSON text is never empty. append_events (version 1) stays for processes
-- of the previous version.
CREATE FUNCTION $S.append_planned_events(
  p_streams        text[],    -- the streams written to,
  p_planned_from   bigint[],  -- the revision each plan started from (-1: no stream),
  p_exact          boolean[], -- whether that revision must still hold,
  p_planned_next   bigint[],  -- and each stream's revision after the plan
  p_event_ids      text,      -- the events, in position order: their ids, joined by ',',
  p_stream_indexes integer[], --   their stream, as a 1-based index into p_streams,
  p_revisions      bigint[],  --   their planned revision,
  p_types          text[],
  p_data_json      text,      --   their JSON data joined by line feeds ('' for binary data),
  p_data_binary    bytea[],   --   their binary data (NULL for JSON data; or no array),
  p_metadata       text,      --   their JSON metadata joined by line feeds
  p_channel        text
) RETURNS bigint[]
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_head   bigint;
  v_at     timestamptz;
  v_shifts bigint[];
  v_stale  boolean;
BEGIN
  SELECT position INTO v_head FROM $S.log_head FOR UPDATE;
  -- A volatile function takes a new snapshot for each statement (READ COMMITTED), so from
  -- here on it sees everything the previous holder of the lock committed.
  v_at := clock_timestamp();
  SELECT array_agg(coalesce(s.revision, -1) - p.planned_from ORDER BY p.i),
         bool_or(p.exact AND coalesce(s.revision, -1) <> p.planned_from)
    INTO v_shifts, v_stale
    FROM unnest(p_streams, p_planned_from, p_exact) WITH ORDINALITY AS p (stream_id, planned_from, exact, i)
    LEFT JOIN $S.streams AS s ON s.stream_id = p.stream_id;
  IF v_stale THEN
    RAISE EXCEPTION 'a stream changed since the append was planned'
      USING ERRCODE = 'serialization_failure';
  END IF;
  INSERT INTO $S.events
    (position, event_id, stream_id, revision, type, data_json, data_binary, metadata, recorded_at)
  SELECT v_head + e.o, e.id::uuid, p_streams[e.k], e.r + v_shifts[e.k], e.t, nullif(e.j, ''), e.b,
         e.m, v_at
    FROM unnest(string_to_array(p_event_ids, ','), p_stream_indexes, p_revisions, p_types,
                string_to_array(p_data_json, E'\\n'), p_data_binary,
                string_to_array(p_metadata, E'\\n')) WITH ORDINALITY AS e (id, k, r, t, j, b, m, o);
  INSERT INTO $S.streams (stream_id, revision)
  SELECT p.stream_id, p.next + v_shifts[p.i]
    FROM unnest(p_streams, p_planned_next) WITH ORDINALITY AS p (stream_id, next, i)
  ON CONFLICT (stream_id) DO UPDATE SET revision = EXCLUDED.revision;
  UPDATE $S.log_head SET position = v_head + cardinality(p_stream_indexes);
  -- Delivered at commit, and only if the transaction commits.
  PERFORM pg_notify(p_channel, (v_head + cardinality(p_stream_indexes))::text);
  RETURN v_head || v_shifts;
END
$fn$;`,
  },
  {
    version: 3,
    description: 'append_planned_events: generic plans for the statements that read no table',
    sql: `
-- Version 2's function, planning its writes once per session: the connections force custom
-- plans (docs/decisions/0024-postgresql-appends-under-a-short-head-lock.md), which
-- re-planned the three writes on every call, although their plans cannot depend on the
-- table sizes (rows from unnest, inserted; the head row). The look-up of the streams keeps
-- custom plans: it joins a table that grows.
CREATE OR REPLACE FUNCTION $S.append_planned_events(
  p_streams        text[],
  p_planned_from   bigint[],
  p_exact          boolean[],
  p_planned_next   bigint[],
  p_event_ids      text,
  p_stream_indexes integer[],
  p_revisions      bigint[],
  p_types          text[],
  p_data_json      text,
  p_data_binary    bytea[],
  p_metadata       text,
  p_channel        text
) RETURNS bigint[]
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_head   bigint;
  v_at     timestamptz;
  v_shifts bigint[];
  v_stale  boolean;
  v_mode   text;
BEGIN
  SELECT position INTO v_head FROM $S.log_head FOR UPDATE;
  -- A volatile function takes a new snapshot for each statement (READ COMMITTED), so from
  -- here on it sees everything the previous holder of the lock committed.
  v_at := clock_timestamp();
  SELECT array_agg(coalesce(s.revision, -1) - p.planned_from ORDER BY p.i),
         bool_or(p.exact AND coalesce(s.revision, -1) <> p.planned_from)
    INTO v_shifts, v_stale
    FROM unnest(p_streams, p_planned_from, p_exact) WITH ORDINALITY AS p (stream_id, planned_from, exact, i)
    LEFT JOIN $S.streams AS s ON s.stream_id = p.stream_id;
  IF v_stale THEN
    RAISE EXCEPTION 'a stream changed since the append was planned'
      USING ERRCODE = 'serialization_failure';
  END IF;
  v_mode := current_setting('plan_cache_mode');
  PERFORM set_config('plan_cache_mode', 'force_generic_plan', true);
  INSERT INTO $S.events
    (position, event_id, stream_id, revision, type, data_json, data_binary, metadata, recorded_at)
  SELECT v_head + e.o, e.id::uuid, p_streams[e.k], e.r + v_shifts[e.k], e.t, nullif(e.j, ''), e.b,
         e.m, v_at
    FROM unnest(string_to_array(p_event_ids, ','), p_stream_indexes, p_revisions, p_types,
                string_to_array(p_data_json, E'\\n'), p_data_binary,
                string_to_array(p_metadata, E'\\n')) WITH ORDINALITY AS e (id, k, r, t, j, b, m, o);
  INSERT INTO $S.streams (stream_id, revision)
  SELECT p.stream_id, p.next + v_shifts[p.i]
    FROM unnest(p_streams, p_planned_next) WITH ORDINALITY AS p (stream_id, next, i)
  ON CONFLICT (stream_id) DO UPDATE SET revision = EXCLUDED.revision;
  UPDATE $S.log_head SET position = v_head + cardinality(p_stream_indexes);
  PERFORM set_config('plan_cache_mode', v_mode, true);
  -- Delivered at commit, and only if the transaction commits.
  PERFORM pg_notify(p_channel, (v_head + cardinality(p_stream_indexes))::text);
  RETURN v_head || v_shifts;
END
$fn$;`,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/**
 * Brings the schema to the latest version. Idempotent, and safe when several processes
 * open the store at once: everything runs in one transaction that first takes a
 * transaction-level advisory lock keyed by the schema name, so one process migrates and
 * the others wait, then find the work done (`CREATE SCHEMA IF NOT EXISTS` alone is not
 * enough: two concurrent ones can still fail on the catalogue's unique index). A failed
 * migration rolls back entirely, and the lock goes with the transaction.
 *
 * A schema already at the latest version is only read: a process whose role may not
 * create schemas can open a log that its deployment migrated.
 */
export async function migrate(pool: Pool, schema: string): Promise<void> {
  assertSchemaName(schema);
  const s = quoteIdent(schema);
  const client = await pool.connect();
  let broken: Error | undefined;
  const versions = async () => {
    const { rows } = await client.query<{ version: number }>(
      `SELECT version FROM ${s}.schema_migrations`,
    );
    const applied = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...applied);
    if (newest > LATEST_SCHEMA_VERSION) {
      throw new Error(
        `PostgreSQL event store: schema ${schema} is at version ${newest}, newer than this code knows (${LATEST_SCHEMA_VERSION}); upgrade Rapport`,
      );
    }
    return applied;
  };
  try {
    const exists = await client.query<{ table: string | null }>(
      'SELECT to_regclass($1)::text AS table',
      [`${s}.schema_migrations`],
    );
    if (exists.rows[0].table !== null && (await versions()).has(LATEST_SCHEMA_VERSION)) return;

    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `rapport.event-store.migrate:${schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
      version      integer     PRIMARY KEY,
      description  text        NOT NULL,
      applied_at   timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = await versions();
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql.replace(/\$S/g, s));
      await client.query(
        `INSERT INTO ${s}.schema_migrations (version, description) VALUES ($1, $2)`,
        [migration.version, migration.description],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw error;
  } finally {
    client.release(broken);
  }
}
