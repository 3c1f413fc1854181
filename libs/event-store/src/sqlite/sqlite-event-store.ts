import type Database from 'better-sqlite3';
import {
  assertStreamId,
  type DataFormat,
  DEFAULT_MAX_EVENT_BYTES,
  serializeEvent,
  type SerializedEvent,
} from '../event-content';
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
import { AppendPlan, type KnownEvent } from '../append-plan';
import { type AppendOptions } from '../append-transaction';
import { isStoreError } from '../errors';
import { AppendSignal } from '../subscription/append-signal';
import { followingSubscription } from '../subscription/following-subscription';
import { RecentEvents, type RecentEventsFollower } from '../subscription/recent-events';
import { RecentStreamRevisions } from './recent-stream-revisions';
import { openSqliteConnection } from './sqlite-connection';

export interface SqliteEventStoreOptions {
  /** File of the log, or `:memory:`. Its folder is created when missing. */
  readonly path: string;
  readonly maxEventBytes?: number;
  /** How often a subscriber looks for appends made by other processes. */
  readonly pollIntervalMs?: number;
  readonly clock?: () => Date;
  /**
   * Event ids are indexed in batches of this many events (default 10,000); until then the
   * newest ones are looked up in memory. Tests lower it to reach the merge.
   */
  readonly idIndexBatch?: number;
}

/** A stored event as the append plan compares it with a re-appended one. */
type KnownRow = Pick<
  EventRow,
  'event_id' | 'stream_id' | 'revision' | 'position' | 'type' | 'data' | 'metadata'
>;

interface PreparedAppend {
  readonly request: AppendRequest;
  readonly serialized: readonly SerializedEvent[];
  readonly error: Error | null;
}

interface EventRow {
  position: number;
  event_id: string;
  stream_id: string;
  revision: number;
  type: string;
  data_format: DataFormat;
  /** JSON text, or a BLOB (a `Buffer`) for binary data. */
  data: string | Buffer;
  metadata: string;
  recorded_at: string;
}

/** The log's table; before schema version 2 its `event_id` was declared UNIQUE. */
const eventsTable = (name: string) => `
CREATE TABLE IF NOT EXISTS ${name} (
  position     INTEGER PRIMARY KEY,
  event_id     TEXT    NOT NULL,
  stream_id    TEXT    NOT NULL,
  revision     INTEGER NOT NULL,
  type         TEXT    NOT NULL,
  data_format  TEXT    NOT NULL DEFAULT 'json' CHECK (data_format IN ('json', 'binary')),
  data         TEXT    NOT NULL, -- JSON text, or a BLOB (SQLite keeps BLOBs as they are whatever the column type)
  metadata     TEXT    NOT NULL,
  recorded_at  TEXT    NOT NULL,
  UNIQUE (stream_id, revision)
);`;

/**
 * The index of event ids, 16 bytes each, filled in batches: `event_ids` holds every event up
 * to `event_ids_indexed.position`, and each store keeps the ids above it in memory. A UNIQUE
 * index on the ids (random UUIDs) dirtied about one page per event in every append.
 */
const ID_INDEX = `
CREATE TABLE IF NOT EXISTS event_ids (
  id        BLOB    NOT NULL PRIMARY KEY,
  position  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_ids_indexed (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  position  INTEGER NOT NULL
);
INSERT OR IGNORE INTO event_ids_indexed (singleton, position) VALUES (1, 0);`;

/** `PRAGMA user_version` of a log with the batched id index. */
const SCHEMA_VERSION = 2;
const EVENT_COLUMNS_IN_ORDER =
  'position, event_id, stream_id, revision, type, data_format, data, metadata, recorded_at';
/** An id's 16 bytes from its text (ids are checked UUIDs, stored in lower case). */
const ID_BYTES = (text: string) => `unhex(replace(${text}, '-', ''))`;

/** Logs created before binary data was supported lack `data_format`; every row of theirs is JSON. */
const ADD_DATA_FORMAT = `ALTER TABLE events ADD COLUMN data_format TEXT NOT NULL DEFAULT 'json' CHECK (data_format IN ('json', 'binary'))`;

/**
 * The embedded event log: one SQLite file in WAL mode with `synchronous=FULL`, so an
 * append is on disk when its promise resolves and survives `kill -9` and power loss.
 * Positions are the table's rowid: SQLite has one writer at a time, so they are
 * gap-free and in commit order (rows are never deleted).
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly signal: AppendSignal;
  private readonly maxEventBytes: number;
  private readonly clock: () => Date;
  private readonly subscriptions = new Set<Subscription>();
  /** Several projections in one process follow the log together: read and parse it once. */
  private readonly recent = new RecentEvents();
  private readonly statements;
  private readonly idIndexBatch: number;
  /**
   * Ids of the events above the indexed ones, by position: complete from `idsIndexedTo` + 1
   * to `idsKnownTo`, read from the log in each write transaction, so that appends of other
   * processes are in it too.
   */
  private readonly unindexedIds = new Map<string, number>();
  private idsIndexedTo = -1;
  private idsKnownTo = 0;
  /**
   * The latest revisions of recently appended streams, complete up to `idsKnownTo` (kept with
   * the ids): a write asks the log only for the other streams' revisions.
   */
  private readonly recentRevisions = new RecentStreamRevisions(100_000);
  /** Created once: better-sqlite3 prepares a transaction's BEGIN statements per wrapper. */
  private readonly appendManyTransaction: Database.Transaction<
    (
      prepared: readonly PreparedAppend[],
      options: AppendOptions | undefined,
    ) => { outcomes: AppendOutcome[]; plan: AppendPlan }
  >;

  constructor(options: SqliteEventStoreOptions) {
    this.db = openSqliteConnection(options.path, { synchronous: 'FULL', busyTimeoutMs: 10_000 });
    // The index of event ids (random UUIDs) is read on every append: keep it in memory.
    this.db.pragma('cache_size = -65536');
    this.migrate();
    this.idIndexBatch = options.idIndexBatch ?? 10_000;
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.clock = options.clock ?? (() => new Date());
    this.signal = new AppendSignal(options.pollIntervalMs ?? 200);
    this.statements = {
      byIndexedIds: this.db.prepare<[string], KnownRow>(
        `SELECT e.event_id, e.stream_id, e.revision, e.position, e.type, e.data, e.metadata
           FROM event_ids AS k JOIN events AS e ON e.position = k.position
          WHERE k.id IN (SELECT ${ID_BYTES('value')} FROM json_each(?))`,
      ),
      byPositions: this.db.prepare<[string], KnownRow>(
        'SELECT event_id, stream_id, revision, position, type, data, metadata FROM events WHERE position IN (SELECT value FROM json_each(?))',
      ),
      idsIndexedTo: this.db
        .prepare<[], number>('SELECT position FROM event_ids_indexed')
        .pluck(true),
      idsAfter: this.db
        .prepare<[number], [number, string, string, number]>(
          'SELECT position, event_id, stream_id, revision FROM events WHERE position > ? ORDER BY position',
        )
        .raw(true),
      indexIds: this.db.prepare<[number]>(
        `INSERT INTO event_ids (id, position)
         SELECT ${ID_BYTES('event_id')}, position FROM events WHERE position > ? ORDER BY 1`,
      ),
      setIdsIndexedTo: this.db.prepare<[number]>('UPDATE event_ids_indexed SET position = ?'),
      streamRevisions: this.db.prepare<[string], { stream_id: string; revision: number }>(
        'SELECT stream_id, MAX(revision) AS revision FROM events WHERE stream_id IN (SELECT value FROM json_each(?)) GROUP BY stream_id',
      ),
      insert: this.db.prepare(
        `INSERT INTO events (position, event_id, stream_id, revision, type, data_format, data, metadata, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      readForwards: this.db.prepare<[string, number, number], EventRow>(
        'SELECT * FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?',
      ),
      readBackwards: this.db.prepare<[string, number, number], EventRow>(
        'SELECT * FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?',
      ),
      // Rows as arrays (docs/decisions/0009-group-commit-in-ingestion.md#in-the-sqlite-store).
      readAll: this.db
        .prepare<[number, number], EventColumns>(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`,
        )
        .raw(true),
      head: this.db.prepare<[], { head: number | null }>(
        'SELECT MAX(position) AS head FROM events',
      ),
    };
    // One transaction, one fsync for a whole appendMany. The plan refuses a request before
    // it writes anything, so a refusal leaves the other requests intact without a savepoint.
    this.appendManyTransaction = this.db.transaction((prepared, options) => {
      if (options?.withinTransaction) {
        const pending: unknown = options.withinTransaction({ kind: 'sqlite', db: this.db });
        if (pending instanceof Promise) {
          pending.catch(() => undefined);
          throw new Error('SQLite event store: withinTransaction must be synchronous');
        }
      }
      const plan = this.planFor(prepared);
      const outcomes = prepared.map((p): AppendOutcome => {
        if (p.error) return { ok: false, error: p.error };
        try {
          const { streamId, expectedRevision } = p.request;
          return { ok: true, result: plan.append(streamId, p.serialized, expectedRevision) };
        } catch (error) {
          if (isStoreError(error)) return { ok: false, error };
          throw error;
        }
      });
      const recordedAt = this.clock().toISOString();
      // Positional parameters (docs/decisions/0009-group-commit-in-ingestion.md#in-the-sqlite-store).
      for (const { streamId, revision, position, event } of plan.rows) {
        this.statements.insert.run(
          position,
          event.id,
          streamId,
          revision,
          event.type,
          event.dataFormat,
          event.data,
          event.metadata,
          recordedAt,
        );
      }
      return { outcomes, plan };
    });
  }

  /**
   * Brings a log to schema version 2 in one transaction: a log made before it loses the
   * UNIQUE index on event ids (SQLite drops one only by copying the table) and gets every
   * id in `event_ids`. A process of the previous version still reads and appends to the
   * migrated log correctly; it finds ids by scanning the table.
   */
  private migrate(): void {
    const version = () => this.db.pragma('user_version', { simple: true }) as number;
    if (version() >= SCHEMA_VERSION) return;
    this.db
      .transaction(() => {
        if (version() >= SCHEMA_VERSION) return;
        this.db.exec(eventsTable('events'));
        const columns = this.db.pragma('table_info(events)') as { name: string }[];
        if (!columns.some((c) => c.name === 'data_format')) this.db.exec(ADD_DATA_FORMAT);
        if (this.hasUniqueIdIndex()) {
          this.db.exec(eventsTable('events_v2'));
          this.db.exec(
            `INSERT INTO events_v2 (${EVENT_COLUMNS_IN_ORDER}) SELECT ${EVENT_COLUMNS_IN_ORDER} FROM events ORDER BY position`,
          );
          this.db.exec('DROP TABLE events');
          this.db.exec('ALTER TABLE events_v2 RENAME TO events');
        }
        this.db.exec(ID_INDEX);
        this.db.exec(
          `INSERT INTO event_ids (id, position) SELECT ${ID_BYTES('event_id')}, position FROM events ORDER BY 1`,
        );
        this.db.exec(
          'UPDATE event_ids_indexed SET position = (SELECT coalesce(max(position), 0) FROM events)',
        );
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })
      .immediate();
  }

  private hasUniqueIdIndex(): boolean {
    const indexes = this.db.pragma('index_list(events)') as { name: string; unique: number }[];
    return indexes.some((index) => {
      if (!index.unique) return false;
      const columns = this.db.pragma(`index_info(${JSON.stringify(index.name)})`) as {
        name: string;
      }[];
      return columns.length === 1 && columns[0].name === 'event_id';
    });
  }

  async append(
    streamId: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision = 'any',
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const [outcome] = this.write([{ streamId, events, expectedRevision }], options);
    if (!outcome.ok) throw outcome.error;
    return outcome.result;
  }

  async appendMany(
    requests: readonly AppendRequest[],
    options?: AppendOptions,
  ): Promise<AppendOutcome[]> {
    return this.write(requests, options);
  }

  /**
   * Both appends, one transaction. `append` does not go through the public `appendMany`, so
   * a wrapper that times or counts the two (metrics) sees one call per append.
   */
  private write(requests: readonly AppendRequest[], options?: AppendOptions): AppendOutcome[] {
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
    const { outcomes, plan } = this.appendManyTransaction.immediate(prepared, options);
    // Committed: the new ids are above every indexed one, and the transaction started from
    // `idsKnownTo` (it read every event up to there), so the map stays complete.
    for (const row of plan.rows) {
      this.unindexedIds.set(row.event.id, row.position);
      this.recentRevisions.saw(row.streamId, row.revision);
      this.idsKnownTo = row.position;
    }
    if (outcomes.some((o) => o.ok && o.result.events.some((e) => !e.duplicate)))
      this.signal.notify();
    return outcomes;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const rows =
      options.direction === 'backwards'
        ? this.statements.readBackwards.all(
            streamId,
            options.fromRevision ?? Number.MAX_SAFE_INTEGER,
            limit,
          )
        : this.statements.readForwards.all(streamId, options.fromRevision ?? 0, limit);
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
    return this.recent.readAll(
      options.after ?? 0,
      options.maxCount ?? Number.MAX_SAFE_INTEGER,
      async (after, maxCount) => {
        const rows = this.statements.readAll.all(after, maxCount);
        this.learnIdsRead(rows);
        return rows.map(fromColumns);
      },
      // Remembered for the other subscriptions of this process; with one, nobody shares them.
      this.subscriptions.size > 1,
      follower,
    );
  }

  async headPosition(): Promise<number> {
    return this.statements.head.get()?.head ?? 0;
  }

  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    return followingSubscription(
      this.recent,
      this.subscriptions,
      (o, follower) => this.readAllAs(o, follower),
      this.signal,
      options,
      handler,
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    if (this.db.open) this.db.close();
  }

  private serialize(streamId: string, events: readonly NewEvent[]): SerializedEvent[] {
    assertStreamId(streamId);
    return events.map((event) => serializeEvent(event, this.maxEventBytes));
  }

  /**
   * Inside a write transaction: brings the map of unindexed ids up to the head (appends of
   * other processes, or everything above the index after an open or another process's
   * merge), and moves them into `event_ids` once there are `idIndexBatch` of them. Answers
   * the head. A transaction that rolls back leaves the map ahead of the file's
   * `event_ids_indexed`; the next one sees that and reads the map again.
   */
  private catchUpIds(): number {
    const indexedTo = this.statements.idsIndexedTo.get() ?? 0;
    if (indexedTo !== this.idsIndexedTo) {
      this.unindexedIds.clear();
      // Events up to the index may be unseen (another process indexed them): the revisions
      // remembered may be stale.
      this.recentRevisions.clear();
      this.idsIndexedTo = indexedTo;
      this.idsKnownTo = indexedTo;
    }
    for (const [position, id, streamId, revision] of this.statements.idsAfter.iterate(
      this.idsKnownTo,
    )) {
      this.unindexedIds.set(id, position);
      this.recentRevisions.saw(streamId, revision);
      this.idsKnownTo = position;
    }
    if (this.idsKnownTo - indexedTo >= this.idIndexBatch) {
      this.statements.indexIds.run(indexedTo);
      this.statements.setIdsIndexedTo.run(this.idsKnownTo);
      this.unindexedIds.clear();
      this.idsIndexedTo = this.idsKnownTo;
    }
    return this.idsKnownTo;
  }

  /**
   * Ids of a page of the log this process read anyway (a subscription's, in order, committed):
   * those next to `idsKnownTo` extend the map, so that the next append's `catchUpIds` need not
   * read them from the file again. A process that follows the log and appends now and then
   * (the projector's identity decisions) read every other writer's id there, row by row, from
   * pages another process had just written: about 3.7 µs per event. Only while the map is
   * in step with the file's index (after a first catch-up) and holds less than a batch.
   */
  private learnIdsRead(rows: readonly EventColumns[]): void {
    if (this.idsIndexedTo < 0) return;
    const limit = this.idsIndexedTo + this.idIndexBatch;
    let known = this.idsKnownTo;
    for (const row of rows) {
      const position = row[0];
      if (position <= known) continue;
      if (position !== known + 1 || position > limit) break;
      this.unindexedIds.set(row[1], position);
      this.recentRevisions.saw(row[2], row[3]);
      known = position;
    }
    this.idsKnownTo = known;
  }

  /**
   * The plan of a whole `appendMany`, made inside its write transaction from a few
   * queries (the known ids, the revisions of the streams not seen lately) rather than two per
   * event.
   * The same planner serves the PostgreSQL adapter, so both stores decide alike.
   */
  private planFor(prepared: readonly PreparedAppend[]): AppendPlan {
    const head = this.catchUpIds();
    const indexed: string[] = [];
    const unindexed: number[] = [];
    for (const p of prepared)
      for (const event of p.serialized) {
        const position = this.unindexedIds.get(event.id);
        if (position === undefined) indexed.push(event.id);
        else unindexed.push(position);
      }
    const rows =
      this.idsIndexedTo > 0 && indexed.length > 0
        ? this.statements.byIndexedIds.all(JSON.stringify(indexed))
        : [];
    if (unindexed.length > 0)
      rows.push(...this.statements.byPositions.all(JSON.stringify(unindexed)));
    const revisions = new Map<string, number>();
    const unseen = new Set<string>();
    for (const { request } of prepared) {
      const revision = this.recentRevisions.get(request.streamId);
      if (revision === undefined) unseen.add(request.streamId);
      else revisions.set(request.streamId, revision);
    }
    const known = new Map<string, KnownEvent>(
      rows.map((row) => [
        row.event_id,
        {
          streamId: row.stream_id,
          revision: row.revision,
          position: row.position,
          type: row.type,
          data: row.data,
          metadata: row.metadata,
        },
      ]),
    );
    if (unseen.size > 0)
      for (const r of this.statements.streamRevisions.all(JSON.stringify([...unseen])))
        revisions.set(r.stream_id, r.revision);
    return new AppendPlan(known, revisions, head);
  }
}

/** The columns of an event row in this order, for the reads that take rows as arrays. */
const EVENT_COLUMNS = EVENT_COLUMNS_IN_ORDER;
type EventColumns = [
  EventRow['position'],
  EventRow['event_id'],
  EventRow['stream_id'],
  EventRow['revision'],
  EventRow['type'],
  EventRow['data_format'],
  EventRow['data'],
  EventRow['metadata'],
  EventRow['recorded_at'],
];

function fromColumns(row: EventColumns): RecordedEvent {
  return {
    id: row[1],
    streamId: row[2],
    revision: row[3],
    position: row[0],
    type: row[4],
    data: row[5] === 'binary' ? row[6] : JSON.parse(row[6] as string),
    metadata: JSON.parse(row[7]),
    recordedAt: row[8],
  };
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    revision: row.revision,
    position: row.position,
    type: row.type,
    // Binary data comes back from the BLOB as a Buffer with the stored bytes.
    data: row.data_format === 'binary' ? row.data : JSON.parse(row.data as string),
    metadata: JSON.parse(row.metadata),
    recordedAt: row.recorded_at,
  };
}
