import { Pool, type PoolClient, type PoolConfig } from 'pg';
import {
  assertStreamId,
  DEFAULT_MAX_EVENT_BYTES,
  serializeEvent,
  type SerializedEvent,
} from '../event-content';
import { EventIdConflictError, InvalidAppendError, WrongExpectedRevisionError } from '../errors';
import {
  type AppendOutcome,
  type AppendRequest,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '../event-store';
import { AppendSignal } from '../subscription/append-signal';
import { followingSubscription } from '../subscription/following-subscription';
import { RecentEvents, type RecentEventsFollower } from '../subscription/recent-events';
import { PostgresAppendListener } from './postgres-append-listener';
import { AppendPlan, type KnownEvent } from '../append-plan';
import { type AppendOptions } from '../append-transaction';
import { assertSchemaName, migrate, quoteIdent } from './postgres-schema';

export const DEFAULT_POSTGRES_SCHEMA = 'rapport';
export const DEFAULT_POSTGRES_POOL_SIZE = 10;
export const DEFAULT_POSTGRES_POLL_INTERVAL_MS = 1000;

export interface PostgresEventStoreOptions {
  /** `postgres://user:password@host:port/database?…` as `pg` understands it. */
  readonly connectionString: string;
  /** Schema holding the log's tables, created on first use; default `rapport`. */
  readonly schema?: string;
  readonly maxEventBytes?: number;
  /**
   * How often an idle subscriber looks at the log by itself. Appends wake subscribers at
   * once through LISTEN/NOTIFY; the poll only covers a lost notification connection.
   */
  readonly pollIntervalMs?: number;
  /** Connections for appends and reads (the listener has its own); default 10. */
  readonly poolSize?: number;
}

interface PreparedAppend {
  readonly request: AppendRequest;
  readonly serialized: readonly SerializedEvent[];
  readonly error: Error | null;
}

/** `bigint` columns arrive as strings from `pg`; positions and revisions stay below 2^53. */
interface EventRow {
  position: string;
  event_id: string;
  stream_id: string;
  revision: string;
  type: string;
  data_json: string | null;
  data_binary: Buffer | null;
  metadata: string;
  recorded_at: Date;
}

/** A row of the look-up: a known event, a stream's revision, or the head (null in the columns that do not apply to its kind). */
type LookupRow = Omit<EventRow, 'recorded_at' | 'revision' | 'position' | 'type' | 'metadata'> & {
  kind: 'event' | 'stream' | 'head';
  revision: string | null;
  position: string | null;
  type: string | null;
  metadata: string | null;
};

/** What a write found in the log before planning. */
interface Snapshot {
  readonly known: Map<string, KnownEvent>;
  readonly revisions: Map<string, number>;
  readonly head: number;
}

/**
 * The event log in PostgreSQL. Every write numbers its events under a lock on the single
 * row of `log_head`, so positions are gap-free and in commit order and a subscriber may
 * checkpoint at the highest position it has read
 * (docs/decisions/0007-gap-free-log-positions-in-commit-order.md). A write is planned from
 * what its requests say and written with one `append_planned_events` call that takes the
 * lock (docs/decisions/0038-postgresql-appends-in-one-round-trip.md); when that plan is
 * wrong, it is planned on an unlocked snapshot and written again, and a plan found stale
 * is done again under the lock throughout
 * (docs/decisions/0024-postgresql-appends-under-a-short-head-lock.md).
 * Subscribers are woken by `pg_notify`, sent in the append transaction, through a LISTEN
 * connection per store, opened with the store's first subscription, with a slow poll as
 * the fallback.
 */
export class PostgresEventStore implements EventStore {
  private readonly signal: AppendSignal;
  private readonly subscriptions = new Set<Subscription>();
  /** Several projections in one process follow the log together: read and parse it once. */
  private readonly recent = new RecentEvents();
  private readonly sql;
  private closed = false;
  private writes = 0;
  /** Event types already checked by `assertStorableText`, and as array elements: a log has few. */
  private readonly types = new Map<string, string>();
  private writesWithoutLookup = 0;
  private rewritesUnderLock = 0;

  private constructor(
    private readonly pool: Pool,
    private readonly listener: PostgresAppendListener,
    private readonly channel: string,
    schema: string,
    private readonly maxEventBytes: number,
    signal: AppendSignal,
  ) {
    this.signal = signal;
    const s = quoteIdent(schema);
    const columns = `position, event_id::text AS event_id, stream_id, revision, type, data_json, data_binary, metadata`;
    this.sql = {
      lockHead: `SELECT position FROM ${s}.log_head FOR UPDATE`,
      // Known events among the ids of a write, the revisions of its streams and the head,
      // in one round trip and one snapshot.
      lookup: `SELECT 'event' AS kind, ${columns} FROM ${s}.events WHERE event_id = ANY($1::uuid[])
        UNION ALL
        SELECT 'stream', NULL, NULL, stream_id, revision, NULL, NULL, NULL, NULL FROM ${s}.streams WHERE stream_id = ANY($2::text[])
        UNION ALL
        SELECT 'head', position, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM ${s}.log_head`,
      append: `SELECT ${s}.append_planned_events($1::text[], $2::bigint[], $3::boolean[], $4::bigint[],
        $5::text, $6::integer[], $7::bigint[], $8::text[], $9::text, $10::bytea[], $11::text,
        $12::text) AS answer`,
      head: `SELECT position FROM ${s}.log_head`,
      readAll: `SELECT ${columns}, recorded_at FROM ${s}.events
        WHERE position > $1 ORDER BY position ASC LIMIT $2`,
      readForwards: `SELECT ${columns}, recorded_at FROM ${s}.events
        WHERE stream_id = $1 AND revision >= $2 ORDER BY revision ASC LIMIT $3`,
      readBackwards: `SELECT ${columns}, recorded_at FROM ${s}.events
        WHERE stream_id = $1 AND revision <= $2 ORDER BY revision DESC LIMIT $3`,
    };
  }

  /** Connects, creates or upgrades the schema, and starts listening for appends. */
  static async open(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const schema = options.schema ?? DEFAULT_POSTGRES_SCHEMA;
    assertSchemaName(schema);
    const connection: PoolConfig = {
      connectionString: options.connectionString,
      application_name: 'rapport-event-store',
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      // Every writer waits for the head lock: a client stuck inside a transaction (a frozen
      // process whose socket stays open) must not hold it for ever.
      idle_in_transaction_session_timeout: 30_000,
    };
    const pool = new Pool({
      ...connection,
      // Custom plans only: docs/decisions/0024-postgresql-appends-under-a-short-head-lock.md.
      // A startup parameter, so no query is queued behind the caller's on a new connection.
      options: '-c plan_cache_mode=force_custom_plan',
      max: options.poolSize ?? DEFAULT_POSTGRES_POOL_SIZE,
      idleTimeoutMillis: 30_000,
    });
    // An idle pooled connection that the server closes emits 'error' on the pool; the pool
    // drops it and the next query opens a new one. Unhandled, the event would crash the process.
    pool.on('error', () => undefined);
    const signal = new AppendSignal(options.pollIntervalMs ?? DEFAULT_POSTGRES_POLL_INTERVAL_MS);
    const channel = `${schema}_appended`;
    const listener = new PostgresAppendListener(
      { ...connection, application_name: `rapport-event-store-listener:${schema}` },
      channel,
      () => signal.notify(),
    );
    try {
      await migrate(pool, schema);
    } catch (error) {
      await listener.close();
      await pool.end().catch(() => undefined);
      throw error;
    }
    return new PostgresEventStore(
      pool,
      listener,
      channel,
      schema,
      options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
      signal,
    );
  }

  async append(
    streamId: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision = 'any',
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const serialized = this.serialize(streamId, events);
    const [outcome] = await this.write(
      [{ request: { streamId, events, expectedRevision }, serialized, error: null }],
      options,
    );
    if (!outcome.ok) throw outcome.error;
    return outcome.result;
  }

  async appendMany(
    requests: readonly AppendRequest[],
    options?: AppendOptions,
  ): Promise<AppendOutcome[]> {
    if (requests.length === 0 && !options?.withinTransaction) return [];
    const prepared = requests.map((request): PreparedAppend => {
      try {
        return {
          request,
          serialized: this.serialize(request.streamId, request.events),
          error: null,
        };
      } catch (error) {
        return { request, serialized: [], error: error as Error };
      }
    });
    return this.write(prepared, options);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    const { rows } = await this.pool.query<EventRow>({
      name: backwards ? 'rapport_es_read_backwards' : 'rapport_es_read_forwards',
      text: backwards ? this.sql.readBackwards : this.sql.readForwards,
      values: [streamId, from, options.maxCount ?? null],
    });
    return rows.map(toRecordedEvent);
  }

  readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readAllAs(options);
  }

  /** `readAll`, for a subscription (`follower`) paced behind the others of this process. */
  private async readAllAs(
    options: ReadAllOptions,
    follower?: RecentEventsFollower,
  ): Promise<RecordedEvent[]> {
    const unlimited = options.maxCount === undefined;
    return this.recent.readAll(
      options.after ?? 0,
      options.maxCount ?? Number.MAX_SAFE_INTEGER,
      async (after, maxCount) => {
        const { rows } = await this.pool.query<EventRow>({
          name: 'rapport_es_read_all',
          text: this.sql.readAll,
          values: [after, unlimited ? null : maxCount],
        });
        return rows.map(toRecordedEvent);
      },
      // Remembered for the other subscriptions of this process; with one, nobody shares them.
      this.subscriptions.size > 1,
      follower,
    );
  }

  async headPosition(): Promise<number> {
    const { rows } = await this.pool.query<{ position: string }>({
      name: 'rapport_es_head',
      text: this.sql.head,
    });
    return Number(rows[0].position);
  }

  /**
   * A catch-up subscription (`catchUpSubscription`): it may read up to the head it sees
   * and checkpoint there, because positions are gap-free and in commit order.
   */
  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    // Listening from the first subscriber on (once connected, the listener wakes the
    // subscribers, who then find what was appended in between).
    this.listener.listen();
    return followingSubscription(
      this.recent,
      this.subscriptions,
      (o, follower) => this.readAllAs(o, follower),
      this.signal,
      options,
      handler,
    );
  }

  /** Stops the subscriptions, then the listener, then the pool (waiting for queries in flight). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.listener.close();
    await this.pool.end();
  }

  /**
   * Counters for health checks and tests: writes attempted (calls that wrote or tried to
   * write events), how many of them were planned without a look-up and landed so, how many
   * had to be redone under the lock because a concurrent writer moved one of their streams
   * or ids, and how many times the listener connected (1, plus one per reconnect).
   */
  stats(): {
    writes: number;
    writesWithoutLookup: number;
    rewritesUnderLock: number;
    listenerConnections: number;
  } {
    return {
      writes: this.writes,
      writesWithoutLookup: this.writesWithoutLookup,
      rewritesUnderLock: this.rewritesUnderLock,
      listenerConnections: this.listener.connections,
    };
  }

  private serialize(streamId: string, events: readonly NewEvent[]): SerializedEvent[] {
    assertStreamId(streamId);
    assertStorableText('stream id', streamId);
    return events.map((event) => {
      const serialized = serializeEvent(event, this.maxEventBytes);
      if (!this.types.has(serialized.type)) {
        assertStorableText(`event ${serialized.id}: type`, serialized.type);
        if (this.types.size >= MAX_REMEMBERED_TYPES) this.types.clear();
        this.types.set(serialized.type, arrayElement(serialized.type));
      }
      return serialized;
    });
  }

  /**
   * Writes a batch of appends with one commit. Most batches are planned without reading the
   * log and written with one call, which numbers them under the head lock
   * (docs/decisions/0038-postgresql-appends-in-one-round-trip.md). A batch that cannot be
   * planned so, or whose plan the call finds wrong (an event id already in the log, a stream
   * not at the expected revision), is planned against a snapshot and written with one call;
   * if that plan turned out stale, again under the lock throughout. Refused requests write
   * nothing and do not disturb the others.
   */
  private async write(
    prepared: readonly PreparedAppend[],
    options?: AppendOptions,
  ): Promise<AppendOutcome[]> {
    const ids = new Set<string>();
    const streams = new Set<string>();
    for (const p of prepared) {
      if (p.error) continue;
      streams.add(p.request.streamId);
      for (const event of p.serialized) ids.add(event.id);
    }
    const exact = streamsWithCheckedRevisions(prepared);
    const lookup = async (db: Pool | PoolClient) => {
      const { rows } = await db.query<LookupRow>({
        name: 'rapport_es_lookup',
        text: this.sql.lookup,
        values: [[...ids], [...streams]],
      });
      return toSnapshot(rows);
    };

    const hook = options?.withinTransaction;
    const outcomes = hook
      ? await this.writeUnderLock(prepared, exact, lookup, hook)
      : ((await this.writeWithoutLookup(prepared, exact)) ??
        (await this.writeFromLookup(prepared, exact, lookup)));
    // Subscribers of this process need not wait for the notification's round trip.
    if (outcomes.some((o) => o.ok && o.result.events.some((e) => !e.duplicate)))
      this.signal.notify();
    return outcomes;
  }

  /**
   * The batch planned on what its requests say alone — no event of it in the log yet, each
   * stream at the revision its first request expects (or, for a stream appended to with
   * `any` only, wherever it is) — and written with one call. Undefined when the batch
   * cannot be planned so or the call found the plan wrong: nothing was written then.
   */
  private async writeWithoutLookup(
    prepared: readonly PreparedAppend[],
    exact: ReadonlySet<string>,
  ): Promise<AppendOutcome[] | undefined> {
    const blind = planWithoutLookup(prepared, exact);
    if (!blind) return undefined;
    this.writes += 1;
    try {
      const { head, shifts } = await this.appendEvents(this.pool, blind.plan, exact);
      this.writesWithoutLookup += 1;
      return rebase(blind, head, shifts);
    } catch (error) {
      if (!isStalePlan(error)) throw error;
      return undefined;
    }
  }

  /** The batch planned on a look-up (docs/decisions/0024-postgresql-appends-under-a-short-head-lock.md). */
  private async writeFromLookup(
    prepared: readonly PreparedAppend[],
    exact: ReadonlySet<string>,
    lookup: (db: Pool | PoolClient) => Promise<Snapshot>,
  ): Promise<AppendOutcome[]> {
    const optimistic = planAppends(prepared, await lookup(this.pool));
    // Nothing new (refusals, retries of appends already made): no write at all.
    if (optimistic.plan.rows.length === 0) return optimistic.outcomes;
    this.writes += 1;
    try {
      const { head, shifts } = await this.appendEvents(this.pool, optimistic.plan, exact);
      return rebase(optimistic, head, shifts);
    } catch (error) {
      if (!isStalePlan(error)) throw error;
      this.rewritesUnderLock += 1;
      return this.writeUnderLock(prepared, exact, lookup);
    }
  }

  /**
   * The batch planned and written under the head lock throughout, in a transaction of its
   * own; `hook` (`AppendOptions.withinTransaction`) writes the caller's rows in it first.
   */
  private async writeUnderLock(
    prepared: readonly PreparedAppend[],
    exact: ReadonlySet<string>,
    lookup: (db: Pool | PoolClient) => Promise<Snapshot>,
    hook?: NonNullable<AppendOptions['withinTransaction']>,
  ): Promise<AppendOutcome[]> {
    return this.inTransaction(async (client) => {
      // The look-up in a statement after the lock's: in READ COMMITTED it then sees what
      // the previous holder committed.
      await client.query({ name: 'rapport_es_lock_head', text: this.sql.lockHead });
      if (hook) await hook({ kind: 'postgres', client });
      const locked = planAppends(prepared, await lookup(client));
      // The caller's rows commit even when no event is new.
      if (locked.plan.rows.length === 0) return { value: locked.outcomes, commit: !!hook };
      if (hook) this.writes += 1;
      const { head, shifts } = await this.appendEvents(client, locked.plan, exact);
      return { value: rebase(locked, head, shifts), commit: true };
    });
  }

  /**
   * Calls `append_planned_events`; answers the head it numbered the rows from and how far
   * each stream of the plan was found above the revision the plan started from.
   */
  private async appendEvents(
    db: Pool | PoolClient,
    plan: AppendPlan,
    exact: ReadonlySet<string>,
  ): Promise<{ head: number; shifts: Map<string, number> }> {
    const r = plan.rows;
    const streams = [...plan.seenRevisions.keys()];
    const index = new Map(streams.map((stream, i) => [stream, i + 1]));
    const binary = r.some((row) => typeof row.event.data !== 'string');
    const { rows } = await db.query<{ answer: string[] }>({
      name: 'rapport_es_append',
      text: this.sql.append,
      values: [
        streams,
        [...plan.seenRevisions.values()],
        streams.map((stream) => exact.has(stream)),
        streams.map((stream) => plan.nextRevisions.get(stream)),
        r.map((row) => row.event.id).join(','),
        // Array literals made here: pg would quote and escape every element on its own.
        `{${r.map((row) => index.get(row.streamId)).join(',')}}`,
        `{${r.map((row) => row.revision).join(',')}}`,
        `{${r.map((row) => this.types.get(row.event.type) ?? arrayElement(row.event.type)).join(',')}}`,
        // JSON joined by line feeds, which JSON.stringify never writes: no escaping on
        // either side (docs/decisions/0038-postgresql-appends-in-one-round-trip.md).
        r.map((row) => (typeof row.event.data === 'string' ? row.event.data : '')).join('\n'),
        // Without binary data, no array of NULLs: unnest pads the missing column with them.
        binary
          ? r.map((row) => (typeof row.event.data === 'string' ? null : row.event.data))
          : null,
        r.map((row) => row.event.metadata).join('\n'),
        this.channel,
      ],
    });
    const [head, ...shifts] = rows[0].answer.map(Number);
    return { head, shifts: new Map(streams.map((stream, i) => [stream, shifts[i]])) };
  }

  /**
   * Runs `work` in a transaction on one pooled connection; commits when it asks to, rolls
   * back otherwise or when it throws. A failed COMMIT leaves the outcome unknown to the
   * caller, who retries: appends are idempotent on the event ids.
   */
  private async inTransaction<T>(
    work: (client: PoolClient) => Promise<{ value: T; commit: boolean }>,
  ): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const { value, commit } = await work(client);
      await client.query(commit ? 'COMMIT' : 'ROLLBACK');
      return value;
    } catch (error) {
      // If even ROLLBACK fails the connection is unusable: destroy it rather than pool it.
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/**
 * Opens the store a URL names: `postgres://user@host:port/db?schema=rapport` (or
 * `postgresql://…`). `schema` is ours and is taken out before the URL goes to `pg`; every
 * other parameter (`sslmode`, …) is passed on.
 */
export async function postgresEventStoreFromUrl(url: string): Promise<PostgresEventStore> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`${url}: not a postgres:// URL`);
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return PostgresEventStore.open({ connectionString: parsed.toString(), schema });
}

/**
 * PostgreSQL text cannot hold U+0000, and `pg` would silently turn a lone surrogate into
 * U+FFFD (another stream or type than the one asked for). Data and metadata are JSON, where
 * both are escaped; stream ids and types are stored as they are, so they are checked.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** How many event types `serialize` remembers as checked (all of them, in practice). */
const MAX_REMEMBERED_TYPES = 1_000;

/** A text as an element of a PostgreSQL array literal, quoted as `pg` quotes it. */
function arrayElement(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function assertStorableText(what: string, value: string): void {
  if (value.includes('\u0000') || LONE_SURROGATE.test(value)) {
    throw new InvalidAppendError(
      `${what} contains U+0000 or a lone surrogate, which PostgreSQL cannot store`,
    );
  }
}

interface PlannedAppends {
  readonly plan: AppendPlan;
  readonly outcomes: AppendOutcome[];
}

/** Plans every request against the snapshot; a refusal is that request's outcome. */
function planAppends(prepared: readonly PreparedAppend[], snapshot: Snapshot): PlannedAppends {
  const plan = new AppendPlan(snapshot.known, snapshot.revisions, snapshot.head);
  const outcomes = prepared.map((p): AppendOutcome => {
    if (p.error) return { ok: false, error: p.error };
    try {
      const { streamId, expectedRevision } = p.request;
      return { ok: true, result: plan.append(streamId, p.serialized, expectedRevision) };
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError || error instanceof EventIdConflictError)
        return { ok: false, error };
      throw error;
    }
  });
  return { plan, outcomes };
}

function rebase(
  { plan, outcomes }: PlannedAppends,
  head: number,
  shifts: ReadonlyMap<string, number>,
): AppendOutcome[] {
  return outcomes.map((o) =>
    o.ok ? { ok: true, result: plan.rebase(o.result, head, shifts) } : o,
  );
}

/**
 * The streams whose revision the batch relies on: every stream one of its requests
 * appends to with an expected revision other than `any`. The others may be numbered from
 * wherever the write finds them.
 */
function streamsWithCheckedRevisions(prepared: readonly PreparedAppend[]): Set<string> {
  const checked = new Set<string>();
  for (const p of prepared)
    if (!p.error && p.request.expectedRevision !== 'any') checked.add(p.request.streamId);
  return checked;
}

/**
 * Plans the batch without reading the log: no event of it is taken to be in the log, a
 * stream in `exact` to be at the revision its first request expects, and any other stream
 * (appended to with `any` only) to be empty, to be shifted by the write. Undefined when
 * that cannot stand in for a look-up: a request expects `stream_exists` (no revision to
 * assume), a stream's first request expects `any` and a later one does not, a request is
 * empty (its answer is the stream's revision, which the write does not report for a
 * stream it does not write), or the plan refuses a request (the refusal might rest on
 * what was assumed, and a look-up tells).
 */
function planWithoutLookup(
  prepared: readonly PreparedAppend[],
  exact: ReadonlySet<string>,
): PlannedAppends | undefined {
  const assumed = new Map<string, number>();
  for (const p of prepared) {
    if (p.error) continue;
    const { streamId, events, expectedRevision } = p.request;
    if (events.length === 0 || expectedRevision === 'stream_exists') return undefined;
    if (assumed.has(streamId)) continue;
    if (exact.has(streamId) && expectedRevision === 'any') return undefined;
    assumed.set(streamId, typeof expectedRevision === 'number' ? expectedRevision : -1);
  }
  const planned = planAppends(prepared, { known: new Map(), revisions: assumed, head: 0 });
  const refused = planned.outcomes.some((o, i) => !o.ok && !prepared[i].error);
  if (refused || planned.plan.rows.length === 0) return undefined;
  for (const stream of assumed.keys())
    if (!planned.plan.seenRevisions.has(stream)) return undefined;
  return planned;
}

/**
 * The plan rested on a snapshot that has moved: a stream it writes to has grown
 * (`append_events` raises serialization_failure) or one of its new event ids has been
 * appended meanwhile. Either way the call wrote nothing.
 */
function isStalePlan(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string };
  return e.code === '40001' || (e.code === '23505' && e.constraint === 'events_event_id_unique');
}

function toSnapshot(rows: readonly LookupRow[]): Snapshot {
  const known = new Map<string, KnownEvent>();
  const revisions = new Map<string, number>();
  let head = 0;
  for (const row of rows) {
    if (row.kind === 'event') known.set(row.event_id, toKnownEvent(row));
    else if (row.kind === 'stream') revisions.set(row.stream_id, Number(row.revision));
    else head = Number(row.position);
  }
  return { known, revisions, head };
}

function toKnownEvent(row: LookupRow): KnownEvent {
  return {
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: Number(row.position),
    type: row.type ?? '',
    data: row.data_json ?? (row.data_binary as Buffer),
    metadata: row.metadata ?? '{}',
  };
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: Number(row.position),
    type: row.type,
    // Exactly one of the two is set (a CHECK constraint); binary data comes back as a Buffer.
    data: row.data_json === null ? row.data_binary : JSON.parse(row.data_json),
    metadata: JSON.parse(row.metadata),
    recordedAt: row.recorded_at.toISOString(),
  };
}
