/**
 * The stores under test behind one small interface: Rapport's SQLite and PostgreSQL event
 * stores, and Emmett's SQLite and PostgreSQL event stores, each appending the same
 * batches and reading the same log back from the start.
 */
import { dumbo } from '@event-driven-io/dumbo';
import {
  getPostgreSQLEventStore,
  readMessagesBatch as readPostgresBatch,
} from '@event-driven-io/emmett-postgresql';
import {
  getSQLiteEventStore,
  readMessagesBatch as readSqliteBatch,
  sqliteConnection,
} from '@event-driven-io/emmett-sqlite';
import {
  DEFAULT_SUBSCRIPTION_BATCH_SIZE,
  type EventStore,
  PostgresEventStore,
  SqliteEventStore,
} from '@rapport/event-store';
import { type BenchEvent } from './workload';

/** The page size of every catch-up: our subscriptions' default, and what Emmett is given. */
export const CATCH_UP_PAGE = DEFAULT_SUBSCRIPTION_BATCH_SIZE;

/** A stream that never exists: asking for it opens a connection before a clock starts. */
const WARM_UP_STREAM = 'rapport-bench-warm-up';

/** The schema our PostgreSQL store uses inside its own fresh database. */
const RAPPORT_SCHEMA = 'rapport_bench';

/** A store opened for appending. */
export interface AppendTarget {
  /** One append of `events` to `streamId`, durable when it resolves. */
  append(streamId: string, events: readonly BenchEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** One way of reading the whole log from the start. */
export interface CatchUpResult {
  /** What was measured, e.g. `subscribeToAll`. */
  readonly method: string;
  readonly events: number;
  readonly seconds: number;
}

export interface Contender {
  /** `rapport` or `emmett`. */
  readonly side: 'rapport' | 'emmett';
  /** Opens a fresh, empty store at `place` (a SQLite file or a PostgreSQL database URL). */
  open(place: string): Promise<AppendTarget>;
  /**
   * Reads the log at `place` (holding `expected` events) from the start with a store
   * opened for that alone; the clock runs from the subscribe call until the handler has
   * been given the last event.
   */
  catchUp(place: string, expected: number): Promise<CatchUpResult[]>;
}

const now = () => performance.now();

/** The clock of one catch-up: started by the caller, stopped when the count reaches `expected`. */
class CatchUpClock {
  private started = 0;
  private stopped = 0;
  count = 0;

  constructor(private readonly expected: number) {}

  start(): void {
    this.started = now();
  }

  add(events: number): void {
    this.count += events;
    if (this.count >= this.expected && this.stopped === 0) this.stopped = now();
  }

  result(method: string): CatchUpResult {
    if (this.count !== this.expected)
      throw new Error(`${method}: read ${this.count} events, expected ${this.expected}`);
    return { method, events: this.count, seconds: (this.stopped - this.started) / 1000 };
  }
}

/** `subscribeToAll({ after: 0 })` on one of our stores until it reports being caught up. */
async function subscribeFromStart(store: EventStore, expected: number): Promise<CatchUpResult> {
  const clock = new CatchUpClock(expected);
  let caughtUp: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (caughtUp = resolve));
  clock.start();
  const subscription = store.subscribeToAll(
    { after: 0 },
    {
      onEvents: (events) => clock.add(events.length),
      onCaughtUp: (position) => {
        if (position >= expected) caughtUp();
      },
    },
  );
  await Promise.race([done, subscription.finished]);
  await subscription.stop();
  return clock.result('subscribeToAll({ after: 0 })');
}

function ourAppendTarget(store: EventStore): AppendTarget {
  return {
    append: async (streamId, events) => {
      await store.append(streamId, events);
    },
    close: () => store.close(),
  };
}

export const rapportSqlite: Contender = {
  side: 'rapport',
  open: async (file) => ourAppendTarget(new SqliteEventStore({ path: file })),
  catchUp: async (file, expected) => {
    const store = new SqliteEventStore({ path: file });
    try {
      return [await subscribeFromStart(store, expected)];
    } finally {
      await store.close();
    }
  },
};

export const rapportPostgres: Contender = {
  side: 'rapport',
  open: async (url) =>
    ourAppendTarget(
      await PostgresEventStore.open({ connectionString: url, schema: RAPPORT_SCHEMA }),
    ),
  catchUp: async (url, expected) => {
    const store = await PostgresEventStore.open({ connectionString: url, schema: RAPPORT_SCHEMA });
    try {
      return [await subscribeFromStart(store, expected)];
    } finally {
      await store.close();
    }
  },
};

/** What Emmett appends: type and data (it makes the message id itself). */
const emmettEvents = (events: readonly BenchEvent[]) =>
  events.map((e) => ({ type: e.type, data: e.data }));

/**
 * Emmett's SQLite store on one long-lived connection (`connectionOptions.singleton`), as
 * ours has one; left to itself Emmett opens a new connection for every operation on a file.
 */
function emmettSqliteStore(file: string) {
  const connection = sqliteConnection({ fileName: file });
  const store = getSQLiteEventStore({
    fileName: file,
    schema: { autoMigration: 'CreateOrUpdate' },
    connectionOptions: { singleton: true, connection },
  });
  return { connection, store };
}

export const emmettSqlite: Contender = {
  side: 'emmett',
  open: async (file) => {
    const { connection, store } = emmettSqliteStore(file);
    await store.schema.migrate(); // the schema, created before the clock starts (ours creates it on open)
    return {
      append: async (streamId, events) => {
        await store.appendToStream(streamId, emmettEvents(events));
      },
      close: async () => connection.close(),
    };
  },
  catchUp: async (file, expected) => {
    const results: CatchUpResult[] = [];
    {
      // Emmett's catch-up subscription: a consumer with one processor from the beginning.
      // Its processor stores a checkpoint for every event (a transaction per page).
      const { connection, store } = emmettSqliteStore(file);
      const clock = new CatchUpClock(expected);
      const consumer = store.consumer({
        pulling: { batchSize: CATCH_UP_PAGE, pullingFrequencyInMs: 0 },
      });
      consumer.processor({
        processorId: 'rapport-bench',
        startFrom: 'BEGINNING',
        eachMessage: () => clock.add(1),
        stopAfter: (message) => message.metadata.globalPosition >= BigInt(expected),
      });
      await store.streamExists(WARM_UP_STREAM); // the connection is open before the clock starts
      clock.start();
      await consumer.start();
      await consumer.stop();
      connection.close();
      results.push(clock.result('consumer().processor() from BEGINNING'));
    }
    {
      // Emmett's read of the whole log without a consumer: `readMessagesBatch` page by page.
      const connection = sqliteConnection({ fileName: file });
      await readSqliteBatch(connection, { after: 0n, batchSize: 1 }); // open before the clock starts
      const clock = new CatchUpClock(expected);
      clock.start();
      let after = 0n;
      for (;;) {
        const page = await readSqliteBatch(connection, { after, batchSize: CATCH_UP_PAGE });
        clock.add(page.messages.length);
        after = page.currentGlobalPosition;
        if (!page.areEventsLeft) break;
      }
      connection.close();
      results.push(clock.result('readMessagesBatch loop (read-all, no consumer)'));
    }
    return results;
  },
};

export const emmettPostgres: Contender = {
  side: 'emmett',
  open: async (url) => {
    const store = getPostgreSQLEventStore(url);
    await store.schema.migrate(); // the schema, created before the clock starts (ours creates it on open)
    return {
      append: async (streamId, events) => {
        await store.appendToStream(streamId, emmettEvents(events));
      },
      close: () => store.close(),
    };
  },
  catchUp: async (url, expected) => {
    const results: CatchUpResult[] = [];
    {
      // Emmett's catch-up subscription: a consumer with one reactor from the beginning,
      // stopping when no events are left. The reactor stores a checkpoint for every event
      // (in a transaction per page).
      const store = getPostgreSQLEventStore(url);
      const clock = new CatchUpClock(expected);
      const consumer = store.consumer({
        pulling: { batchSize: CATCH_UP_PAGE, pullingFrequencyInMs: 0 },
        stopWhen: { noMessagesLeft: true },
      });
      consumer.reactor({
        processorId: 'rapport-bench',
        startFrom: 'BEGINNING',
        eachMessage: () => clock.add(1),
      });
      await store.streamExists(WARM_UP_STREAM); // a pooled connection is open before the clock starts
      clock.start();
      await consumer.start();
      await consumer.stop();
      await store.close(); // also the consumer's pool: it is the store's
      results.push(clock.result('consumer().reactor() from BEGINNING'));
    }
    {
      // Emmett's read of the whole log without a consumer: `readMessagesBatch` page by page.
      const pool = dumbo({ connectionString: url });
      await readPostgresBatch(pool.execute, { after: 0n, batchSize: 1 }); // connected before the clock starts
      const clock = new CatchUpClock(expected);
      clock.start();
      let after = 0n;
      for (;;) {
        const page = await readPostgresBatch(pool.execute, { after, batchSize: CATCH_UP_PAGE });
        clock.add(page.messages.length);
        after = page.currentGlobalPosition;
        if (!page.areMessagesLeft) break;
      }
      await pool.close();
      results.push(clock.result('readMessagesBatch loop (read-all, no consumer)'));
    }
    return results;
  },
};
