import { type AppendOptions } from '../append-transaction';
import {
  type AllStreamResolvedEvent,
  BACKWARDS,
  END,
  eventTypeFilter,
  type Filter,
  FORWARDS,
  type ReadPosition,
  type RecordedEvent as EsdbRecordedEvent,
  type ResolvedEvent,
  START,
  streamNameFilter,
} from '@eventstore/db-client';
import { EventIdConflictError, InvalidAppendError, isStoreError } from '../errors';
import {
  assertStreamId,
  DEFAULT_MAX_EVENT_BYTES,
  sameEventContent,
  serializeEvent,
  type SerializedEvent,
} from '../event-content';
import {
  type AppendedEvent,
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
import { checkExpectedRevision } from '../expected-revision';
import { connectEsdbClient, type EsdbClient } from './esdb-client';
import {
  isOurs,
  positionNumber,
  readPositionAfter,
  storedContent,
  StreamNames,
  toEsdbExpectedRevision,
  toEventData,
  toRecordedEvent,
  toStoreAppendError,
} from './esdb-mapping';
import {
  DEFAULT_RECONNECT,
  esdbCatchUpSubscription,
  type EsdbReconnectOptions,
} from './esdb-subscription';
import { type EsdbReadFilter, parseEsdbUrl } from './esdb-url';

/** How many of a stream's last events an append looks through for ids it already holds. */
export const DEFAULT_ESDB_ID_LOOKBACK = 1000;

/** Page size of the client-side filtered reads (`readFilter: 'client'`). */
const CLIENT_FILTER_PAGE = 500;

export interface EsdbEventStoreOptions {
  /** The EventStoreDB client; `esdbEventStoreFromUrl` connects one from a URL. */
  readonly client: EsdbClient;
  /**
   * Prepended to every stream id in EventStoreDB and removed on read; `readAll`,
   * `headPosition` and subscriptions only see streams under it. Lets test runs share a
   * server. Must not start with `$`. Default ''.
   */
  readonly streamPrefix?: string;
  readonly maxEventBytes?: number;
  /**
   * How many of the target stream's last events an append reads to find ids it already
   * holds (idempotent retries, id conflicts). 0 turns the check off and leaves only
   * EventStoreDB's own idempotency. Default 1000.
   */
  readonly idLookback?: number;
  /**
   * `server` (default): `readAll` and `headPosition` send a server-side filter (stream
   * prefix, or "no system event types"), as subscriptions do. `client`: they read `$all`
   * unfiltered and filter here; slower, but only uses the client's public API.
   */
  readonly readFilter?: EsdbReadFilter;
  /** Backoff of the subscriptions' resubscribe after a dropped connection. */
  readonly reconnect?: Partial<EsdbReconnectOptions>;
  /** Where subscriptions report reconnections; default `console.warn`. */
  readonly log?: (line: string) => void;
}

/**
 * The event log in EventStoreDB / KurrentDB (gRPC, `@eventstore/db-client` 6).
 *
 * POSITIONS ARE CHECKPOINTS, NOT COUNTERS. `RecordedEvent.position` is the event's commit
 * position in `$all`, a byte offset in the transaction log: increasing in commit order,
 * unique, but with gaps (system events, other applications' events, the records' own
 * sizes). Use it as a checkpoint (`readAll({ after })`, `subscribeToAll({ after })`) and
 * never count with it. `after` must be 0 or a position this store returned: EventStoreDB
 * can only start reading at a record boundary.
 *
 * ID IDEMPOTENCY WITHIN A LOOK-BACK. Before each append this store reads the target
 * stream's last `idLookback` events: an id found there with the same content is a duplicate
 * (answered with its original revision and position), with other content an
 * EventIdConflictError. An id beyond that window, or in ANOTHER stream, is not detected;
 * racing appends of one id from two processes rely on EventStoreDB's own check
 * (docs/decisions/0004-event-ids-derived-from-source-and-id.md).
 *
 * NO MULTI-STREAM TRANSACTION. `appendMany` runs its appends one after the other; each
 * succeeds or fails on its own, and a failure of the connection ends the call (the
 * appends before it are durable, and a retry finds them as duplicates).
 */
export class EsdbEventStore implements EventStore {
  /** Commit positions in `$all`: checkpoints with gaps, not counters (see above). */
  readonly positionsAreCounters = false;
  private readonly client: EsdbClient;
  private readonly names: StreamNames;
  private readonly maxEventBytes: number;
  private readonly idLookback: number;
  private readonly readFilter: EsdbReadFilter;
  private readonly filter: Filter;
  private readonly reconnect: EsdbReconnectOptions;
  private readonly log: (line: string) => void;
  private readonly subscriptions = new Set<Subscription>();
  /** The append in progress per stream (EventStoreDB name), which the next one waits for. */
  private readonly streamLocks = new Map<string, Promise<unknown>>();
  private closed = false;

  constructor(options: EsdbEventStoreOptions) {
    this.client = options.client;
    this.names = new StreamNames(options.streamPrefix ?? '');
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.idLookback = options.idLookback ?? DEFAULT_ESDB_ID_LOOKBACK;
    if (!Number.isSafeInteger(this.idLookback) || this.idLookback < 0) {
      throw new RangeError(`idLookback ${this.idLookback}: use an integer ≥ 0`);
    }
    this.readFilter = options.readFilter ?? 'server';
    this.filter = esdbFilter(this.names.prefix);
    this.reconnect = { ...DEFAULT_RECONNECT, ...options.reconnect };
    this.log = options.log ?? ((line) => console.warn(line));
  }

  /** The stream prefix of this store ('' for none). */
  get streamPrefix(): string {
    return this.names.prefix;
  }

  async append(
    streamId: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision = 'any',
    options?: AppendOptions,
  ): Promise<AppendResult> {
    refuseWithinTransaction(options);
    // Serialised (and so copied) before anything is awaited: the caller may reuse its buffers.
    const serialized = this.serialize(streamId, events);
    const esdbExpected = toEsdbExpectedRevision(expectedRevision);
    const name = this.names.toEsdb(streamId);
    return this.oneAtATime(name, () =>
      this.appendNow(streamId, name, serialized, expectedRevision, esdbExpected),
    );
  }

  /**
   * Appends of one process to one stream run one after the other: the look-up of known ids
   * and the append are two calls, and a concurrent retry of the same event must find the
   * first attempt's event instead of racing it (and both reporting `duplicate: false`).
   * Other processes race through EventStoreDB's own checks.
   */
  private async oneAtATime<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = this.streamLocks.get(name) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(task);
    this.streamLocks.set(name, current);
    try {
      return await current;
    } finally {
      if (this.streamLocks.get(name) === current) this.streamLocks.delete(name);
    }
  }

  private async appendNow(
    streamId: string,
    name: string,
    serialized: readonly SerializedEvent[],
    expectedRevision: ExpectedRevision,
    esdbExpected: ReturnType<typeof toEsdbExpectedRevision>,
  ): Promise<AppendResult> {
    // The same id twice in one append is one event; with different content, a conflict.
    const unique = new Map<string, SerializedEvent>();
    for (const event of serialized) {
      const twin = unique.get(event.id);
      if (twin && !sameEventContent(twin, event))
        throw new EventIdConflictError(event.id, streamId);
      if (!twin) unique.set(event.id, event);
    }

    const recent = await this.recentEvents(name, serialized.length === 0 ? 1 : this.idLookback);
    const known = new Map<string, AppendedEvent>();
    for (const event of unique.values()) {
      const stored = recent.byId.get(event.id);
      if (!stored) continue;
      if (!sameEventContent(storedContent(stored.event), event))
        throw new EventIdConflictError(event.id, streamId);
      known.set(event.id, {
        id: event.id,
        revision: Number(stored.event.revision),
        position: stored.position,
        duplicate: true,
      });
    }
    const fresh = [...unique.values()].filter((e) => !known.has(e.id));

    if (fresh.length === 0) {
      if (serialized.length > 0) {
        // A retry of an append that already succeeded: answer as the first time.
        const results = serialized.map((e) => known.get(e.id) as AppendedEvent);
        return {
          streamId,
          nextExpectedRevision: recent.lastRevision,
          position: results[results.length - 1].position,
          events: results,
        };
      }
      // Nothing to write: only the expectation is checked.
      checkExpectedRevision(streamId, expectedRevision, recent.lastRevision);
      return {
        streamId,
        nextExpectedRevision: recent.lastRevision,
        position: await this.headPosition(),
        events: [],
      };
    }

    let appended;
    try {
      appended = await this.client.appendToStream(name, fresh.map(toEventData), {
        expectedRevision: esdbExpected,
      });
    } catch (error) {
      throw toStoreAppendError(error, streamId, expectedRevision, fresh);
    }
    const last = Number(appended.nextExpectedRevision);
    const first = last - fresh.length + 1;
    const positions = await this.writtenPositions(name, fresh, first, appended.position);

    const written = new Map<string, AppendedEvent>();
    fresh.forEach((event, i) =>
      written.set(event.id, {
        id: event.id,
        revision: first + i,
        position: positions.get(event.id) ?? 0,
        duplicate: false,
      }),
    );
    const reported = new Set<string>();
    const results = serialized.map((event): AppendedEvent => {
      const duplicate = known.get(event.id);
      if (duplicate) return duplicate;
      const result = written.get(event.id) as AppendedEvent;
      if (reported.has(event.id)) return { ...result, duplicate: true };
      reported.add(event.id);
      return result;
    });
    return {
      streamId,
      nextExpectedRevision: last,
      position: (written.get(fresh[fresh.length - 1].id) as AppendedEvent).position,
      events: results,
    };
  }

  async appendMany(
    requests: readonly AppendRequest[],
    options?: AppendOptions,
  ): Promise<AppendOutcome[]> {
    refuseWithinTransaction(options);
    const outcomes: AppendOutcome[] = [];
    for (const request of requests) {
      try {
        const result = await this.append(
          request.streamId,
          request.events,
          request.expectedRevision,
        );
        outcomes.push({ ok: true, result });
      } catch (error) {
        if (!isStoreError(error)) throw error;
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const maxCount = Math.floor(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    if (maxCount <= 0) return [];
    let fromRevision: bigint | typeof START | typeof END = backwards ? END : START;
    if (options.fromRevision !== undefined) {
      if (options.fromRevision < 0) {
        if (backwards) return [];
      } else {
        fromRevision = BigInt(Math.floor(options.fromRevision));
      }
    }
    const events: RecordedEvent[] = [];
    await readStreamEvents(
      this.client.readStream(this.names.toEsdb(streamId), {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision,
        maxCount: BigInt(maxCount),
      }),
      (resolved) => {
        if (resolved.event)
          events.push(toRecordedEvent(resolved.event, streamId, streamPosition(resolved)));
      },
    );
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? 0;
    const maxCount = Math.floor(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const from = readPositionAfter(after);
    if (maxCount <= 0) return [];
    const events: RecordedEvent[] = [];
    if (this.readFilter === 'server') {
      // A read from a position includes the event at that position: ask for one more.
      const count = BigInt(maxCount) + (after > 0 ? 1n : 0n);
      for await (const resolved of this.client.readAll({
        direction: FORWARDS,
        fromPosition: from,
        maxCount: count,
        filter: this.filter,
      })) {
        // Read to the end (at most one event more): leaving a read early would leave its gRPC call open.
        const recorded = this.fromAll(resolved);
        if (recorded && recorded.position > after && events.length < maxCount)
          events.push(recorded);
      }
      return events;
    }
    let cursor: ReadPosition = from;
    let last = after;
    for (;;) {
      let read = 0;
      for await (const resolved of this.client.readAll({
        direction: FORWARDS,
        fromPosition: cursor,
        maxCount: BigInt(CLIENT_FILTER_PAGE),
      })) {
        read += 1;
        const position = allPosition(resolved);
        if (position === undefined || position <= last) continue;
        last = position;
        const recorded = this.fromAll(resolved);
        if (recorded && events.length < maxCount) events.push(recorded);
      }
      if (events.length >= maxCount || read < CLIENT_FILTER_PAGE) return events;
      cursor = readPositionAfter(last);
    }
  }

  async headPosition(): Promise<number> {
    let head = 0;
    if (this.readFilter === 'server') {
      for await (const resolved of this.client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        maxCount: 1n,
        filter: this.filter,
      })) {
        const recorded = this.fromAll(resolved);
        if (recorded) head = Math.max(head, recorded.position);
      }
      return head;
    }
    let cursor: ReadPosition = END;
    let lowest = Number.POSITIVE_INFINITY;
    for (;;) {
      let read = 0;
      for await (const resolved of this.client.readAll({
        direction: BACKWARDS,
        fromPosition: cursor,
        maxCount: BigInt(CLIENT_FILTER_PAGE),
      })) {
        read += 1;
        const position = allPosition(resolved);
        if (position === undefined || position >= lowest) continue;
        lowest = position;
        const recorded = this.fromAll(resolved);
        if (recorded) head = Math.max(head, recorded.position);
      }
      if (head > 0 || read < CLIENT_FILTER_PAGE || !Number.isFinite(lowest)) return head;
      cursor = readPositionAfter(lowest);
    }
  }

  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    const subscription = esdbCatchUpSubscription(
      {
        subscribe: (fromPosition, highWaterMark) =>
          this.client.subscribeToAll(
            { fromPosition, resolveLinkTos: false, filter: this.filter },
            { highWaterMark },
          ),
        headPosition: () => this.headPosition(),
        positionOf: (resolved) => allPosition(resolved) ?? 0,
        toRecorded: (resolved) => this.fromAll(resolved),
        reconnect: this.reconnect,
        log: this.log,
      },
      options,
      handler,
    );
    this.subscriptions.add(subscription);
    void subscription.finished
      .catch(() => undefined)
      .finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    if (this.closed) return;
    this.closed = true;
    await this.client.dispose();
  }

  private serialize(streamId: string, events: readonly NewEvent[]): SerializedEvent[] {
    assertStreamId(streamId);
    return events.map((event) => {
      const serialized = serializeEvent(event, this.maxEventBytes);
      if (serialized.type.startsWith('$')) {
        throw new InvalidAppendError(
          `event ${serialized.id}: types starting with $ are reserved for EventStoreDB's system events`,
        );
      }
      return serialized;
    });
  }

  /** The last `count` events of a stream by id, and its last revision (-1: no stream). */
  private async recentEvents(
    name: string,
    count: number,
  ): Promise<{
    lastRevision: number;
    byId: Map<string, { event: EsdbRecordedEvent; position: number }>;
  }> {
    const byId = new Map<string, { event: EsdbRecordedEvent; position: number }>();
    let lastRevision = -1;
    if (count <= 0) return { lastRevision, byId };
    await readStreamEvents(
      this.client.readStream(name, {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: BigInt(count),
      }),
      (resolved) => {
        const event = resolved.event;
        if (!event) return;
        lastRevision = Math.max(lastRevision, Number(event.revision));
        if (!byId.has(event.id.toLowerCase()))
          byId.set(event.id.toLowerCase(), { event, position: streamPosition(resolved) });
      },
    );
    return { lastRevision, byId };
  }

  /**
   * `$all` positions of the events just written (revisions `first`…). A one-event append's
   * result carries its position (commit = prepare for a record committed on its own);
   * otherwise the events are read back, one read for the whole append.
   */
  private async writtenPositions(
    name: string,
    fresh: readonly SerializedEvent[],
    first: number,
    appendPosition: { commit: bigint; prepare: bigint } | undefined,
  ): Promise<Map<string, number>> {
    const positions = new Map<string, number>();
    const usable = appendPosition && isUsablePosition(appendPosition) ? appendPosition : undefined;
    if (fresh.length === 1 && usable && usable.commit === usable.prepare) {
      positions.set(fresh[0].id, positionNumber(usable));
      return positions;
    }
    await readStreamEvents(
      this.client.readStream(name, {
        direction: FORWARDS,
        fromRevision: BigInt(first),
        maxCount: BigInt(fresh.length),
      }),
      (resolved) => {
        if (resolved.event)
          positions.set(resolved.event.id.toLowerCase(), streamPosition(resolved));
      },
    );
    // Without positions on stream reads (servers before 22.6), the append's position is the last event's.
    if (usable) {
      const fallback = positionNumber(usable);
      for (const event of fresh) if (!positions.get(event.id)) positions.set(event.id, fallback);
    }
    return positions;
  }

  /** An event read from `$all` as ours, or undefined for system events and other prefixes. */
  private fromAll(resolved: AllStreamResolvedEvent): RecordedEvent | undefined {
    const event = resolved.event;
    if (!event || !isOurs(event, this.names)) return undefined;
    return toRecordedEvent(
      event,
      this.names.fromEsdb(event.streamId) as string,
      positionNumber(event.position),
    );
  }
}

/**
 * Opens the EventStoreDB store a URL names: `esdb://host:2113?tls=false`,
 * `kurrentdb://…`, `esdb+discover://…`, with Rapport's parameters `streamPrefix`,
 * `idLookback`, `readFilter` and `maxEventBytes` (see `parseEsdbUrl`). Connects lazily:
 * the first call reaches the server.
 */
export function esdbEventStoreFromUrl(
  url: string,
  options: Omit<EsdbEventStoreOptions, 'client'> = {},
): EsdbEventStore {
  const parsed = parseEsdbUrl(url);
  return new EsdbEventStore({
    streamPrefix: parsed.streamPrefix,
    ...(parsed.idLookback === undefined ? {} : { idLookback: parsed.idLookback }),
    ...(parsed.readFilter === undefined ? {} : { readFilter: parsed.readFilter }),
    ...(parsed.maxEventBytes === undefined ? {} : { maxEventBytes: parsed.maxEventBytes }),
    ...options,
    client: connectEsdbClient(parsed.connectionString),
  });
}

/**
 * The server-side filter for `$all`: our stream prefix when there is one (which also
 * keeps system streams out: a prefix never starts with `$`), otherwise every event type
 * that is not a system one (`$…`).
 */
export function esdbFilter(prefix: string): Filter {
  return prefix ? streamNameFilter({ prefixes: [prefix] }) : eventTypeFilter({ regex: '^[^$]' });
}

/** Not "none" (0) and not -1 sent as an unsigned 64-bit number (an idempotent write to a deleted stream). */
function isUsablePosition(position: { commit: bigint; prepare: bigint }): boolean {
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  return position.commit > 0n && position.commit <= max && position.prepare <= max;
}

/** Position of an event read from `$all`, when it has one. */
function allPosition(resolved: AllStreamResolvedEvent): number | undefined {
  if (resolved.event) return positionNumber(resolved.event.position);
  if (resolved.commitPosition !== undefined)
    return positionNumber({ commit: resolved.commitPosition, prepare: resolved.commitPosition });
  return undefined;
}

/** Position of an event read from a stream (reported by servers from 22.6); 0 when unknown. */
function streamPosition(resolved: ResolvedEvent): number {
  const position = resolved.event?.position;
  if (position) return positionNumber(position);
  if (resolved.commitPosition !== undefined)
    return positionNumber({ commit: resolved.commitPosition, prepare: resolved.commitPosition });
  return 0;
}

/** Iterates a stream read; a stream that does not exist (or was deleted) reads as empty. */
async function readStreamEvents(
  read: AsyncIterable<ResolvedEvent>,
  each: (resolved: ResolvedEvent) => void,
): Promise<void> {
  try {
    for await (const resolved of read) each(resolved);
  } catch (error) {
    if (isMissingStream(error)) return;
    throw error;
  }
}

function isMissingStream(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const type = (error as { type?: unknown }).type;
  return type === 'stream-not-found' || type === 'stream-deleted';
}

/** EventStoreDB has no tables of the caller's to write in an append's transaction. */
function refuseWithinTransaction(options: AppendOptions | undefined): void {
  if (options?.withinTransaction)
    throw new Error('EventStoreDB event store: withinTransaction is not supported');
}
