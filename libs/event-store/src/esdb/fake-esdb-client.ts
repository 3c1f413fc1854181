import { randomUUID } from 'node:crypto';
import { Readable, type ReadableOptions } from 'node:stream';
import {
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendResult as EsdbAppendResult,
  type EventData,
  type Filter,
  type Position,
  type ReadPosition,
  type RecordedEvent as EsdbRecordedEvent,
  type ResolvedEvent,
  StreamNotFoundError,
  type SubscribeToAllOptions,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import {
  type EsdbClient,
  type EsdbReadAllOptions,
  type EsdbReadStreamOptions,
  type EsdbSubscription,
} from './esdb-client';

/**
 * An in-memory stand-in for EventStoreDB behind the `EsdbClient` interface, for unit
 * tests that cannot reach a server. It mimics what the adapter relies on, as the 6.x
 * client and a 24.x server behave:
 * - `$all` positions are byte offsets (commit = prepare, with gaps), and the log starts
 *   with, and keeps interleaving, system events (`$`-prefixed streams and types);
 * - expected revisions, and WrongExpectedVersionError / StreamNotFoundError as the client
 *   throws them; JSON data and metadata encoded and decoded as the client does;
 * - reads of `$all` from a position include the event at that position (forwards);
 *   server-side filters on stream name or event type, by prefixes or regex;
 * - subscriptions replay and then follow live appends; by default the replay INCLUDES the
 *   event at the start position (the adapter must not rely on exclusivity), and a
 *   "caught up" message follows the replay unless `sendsCaughtUp` is false.
 * It does not model EventStoreDB's own idempotency window.
 */
export class FakeEsdbServer {
  readonly log: FakeRecord[] = [];
  private nextPosition = 1000n;
  private readonly subscriptions = new Set<FakeSubscription>();
  /** Whether subscriptions send "caught up" after the replay (servers from 23.10 do). */
  sendsCaughtUp = true;
  /** Whether a replay includes the event at the start position. */
  replayIncludesStart = true;
  /** Every n-th append is followed by a system event ($statsCollected); 0: never. */
  systemEventEvery = 2;
  /**
   * Whether a read of `$all` from a position where no record starts fails, as it does on a
   * real server (its transaction log can only be read from a record's start: 0, or a
   * position it returned). Off by default: the fake accepts any number and starts at the
   * next record.
   */
  rejectsReadsBetweenRecords = false;
  /** Thrown by the next `appendToStream` instead of appending (then cleared). */
  failNextAppend: Error | null = null;
  appends = 0;

  constructor() {
    this.write('$epoch-information', '$epoch-information', [systemEvent('$epoch-information')]);
    this.write('$settings', '$settings', [systemEvent('$settings')]);
  }

  client(): FakeEsdbClient {
    return new FakeEsdbClient(this);
  }

  /** Drops every live subscription with `error`, as a lost connection would. */
  dropSubscriptions(error: Error): void {
    for (const subscription of [...this.subscriptions]) subscription.destroy(error);
  }

  get activeSubscriptions(): number {
    return this.subscriptions.size;
  }

  async appendToStream(
    streamName: string,
    events: EventData[],
    expectedRevision: AppendExpectedRevision,
  ): Promise<EsdbAppendResult> {
    await Promise.resolve();
    if (this.failNextAppend) {
      const error = this.failNextAppend;
      this.failNextAppend = null;
      throw error;
    }
    const current = this.lastRevision(streamName);
    const ok =
      expectedRevision === 'any' ||
      (expectedRevision === 'no_stream' && current === undefined) ||
      (expectedRevision === 'stream_exists' && current !== undefined) ||
      (typeof expectedRevision === 'bigint' && current === expectedRevision);
    if (!ok) {
      throw new WrongExpectedVersionError(undefined, {
        streamName,
        expected: expectedRevision,
        current: current ?? 'no_stream',
      });
    }
    const written = this.write(streamName, 'user', events);
    this.appends += 1;
    if (this.systemEventEvery > 0 && this.appends % this.systemEventEvery === 0) {
      this.write('$stats-127.0.0.1:2113', 'system', [systemEvent('$statsCollected')]);
    }
    const last = written[written.length - 1];
    return {
      success: true,
      nextExpectedRevision: last.revision,
      position: { commit: last.position, prepare: last.position },
    };
  }

  /** Appends as another application would (no checks). */
  write(streamName: string, _origin: string, events: EventData[]): FakeRecord[] {
    let revision = this.lastRevision(streamName) ?? -1n;
    const written = events.map((event): FakeRecord => {
      revision += 1n;
      const data =
        event.contentType === 'application/json'
          ? Buffer.from(JSON.stringify(event.data), 'utf8')
          : Buffer.from(event.data);
      const metadata = encodeMetadata(event.metadata);
      const position = this.nextPosition;
      // A record's size moves the next position on: positions are byte offsets, with gaps.
      this.nextPosition += BigInt(120 + streamName.length + data.length + metadata.length);
      return {
        streamName,
        id: event.id,
        type: event.type,
        revision,
        contentType: event.contentType,
        data,
        metadata,
        created: new Date(),
        position,
      };
    });
    this.log.push(...written);
    for (const record of written)
      for (const subscription of this.subscriptions) subscription.live(record);
    return written;
  }

  lastRevision(streamName: string): bigint | undefined {
    let last: bigint | undefined;
    for (const record of this.log) if (record.streamName === streamName) last = record.revision;
    return last;
  }

  readStream(streamName: string, options: EsdbReadStreamOptions): ResolvedEvent[] {
    const records = this.log.filter((r) => r.streamName === streamName);
    if (records.length === 0) throw new StreamNotFoundError(undefined, streamName);
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision;
    const selected = backwards
      ? records.filter((r) => from === 'end' || from === 'start' || r.revision <= from).reverse()
      : records.filter((r) => from === 'start' || from === 'end' || r.revision >= from);
    return selected.slice(0, Number(options.maxCount)).map((r) => ({ event: toRecorded(r) }));
  }

  readAll(options: EsdbReadAllOptions): AllStreamResolvedEvent[] {
    const backwards = options.direction === 'backwards';
    const from = options.fromPosition;
    if (
      this.rejectsReadsBetweenRecords &&
      typeof from === 'object' &&
      !this.log.some((r) => r.position === from.commit)
    )
      throw new Error(`Invalid position: no record of $all starts at ${from.commit}`);
    let records = this.log.filter((r) => matches(r, options.filter));
    if (backwards) {
      records = records.filter(
        (r) => from === 'end' || (from !== 'start' && r.position < from.commit),
      );
      records.reverse();
    } else {
      records = records.filter(
        (r) => from === 'start' || (from !== 'end' && r.position >= from.commit),
      );
    }
    return records.slice(0, Number(options.maxCount)).map(toAllResolved);
  }

  subscribe(options: SubscribeToAllOptions, readableOptions: ReadableOptions): FakeSubscription {
    const subscription = new FakeSubscription(options.filter, readableOptions);
    const from: ReadPosition = options.fromPosition ?? 'start';
    const replay = this.log.filter(
      (r) =>
        matches(r, options.filter) &&
        (from === 'start' ||
          (from !== 'end' &&
            (this.replayIncludesStart ? r.position >= from.commit : r.position > from.commit))),
    );
    this.subscriptions.add(subscription);
    subscription.once('close', () => this.subscriptions.delete(subscription));
    // The server answers asynchronously: replay, then "caught up", then live events.
    setImmediate(() => {
      if (subscription.destroyed) return;
      for (const record of replay) subscription.push(toAllResolved(record));
      subscription.isLive = true;
      if (this.sendsCaughtUp) subscription.emit('caughtUp');
      for (const record of subscription.pending.splice(0)) subscription.push(toAllResolved(record));
    });
    return subscription;
  }
}

export interface FakeRecord {
  readonly streamName: string;
  readonly id: string;
  readonly type: string;
  readonly revision: bigint;
  readonly contentType: 'application/json' | 'application/octet-stream';
  readonly data: Buffer;
  readonly metadata: Buffer;
  readonly created: Date;
  readonly position: bigint;
}

export class FakeSubscription extends Readable implements EsdbSubscription {
  isLive = false;
  /** Live events that arrived before the replay was pushed. */
  readonly pending: FakeRecord[] = [];
  unsubscribed = false;

  constructor(
    private readonly eventFilter: Filter | undefined,
    readableOptions: ReadableOptions,
  ) {
    super({ ...readableOptions, objectMode: true });
  }

  override _read(): void {
    // Pushed by the server.
  }

  live(record: FakeRecord): void {
    if (this.destroyed || !matches(record, this.eventFilter)) return;
    if (this.isLive) this.push(toAllResolved(record));
    else this.pending.push(record);
  }

  async unsubscribe(): Promise<void> {
    this.unsubscribed = true;
    this.destroy();
  }
}

/** One connection to a `FakeEsdbServer`. */
export class FakeEsdbClient implements EsdbClient {
  disposed = false;
  /** Every `readAll` request, for tests that look at what was asked of the server. */
  readonly readAllRequests: EsdbReadAllOptions[] = [];

  constructor(readonly server: FakeEsdbServer) {}

  appendToStream(
    streamName: string,
    events: EventData[],
    options: { expectedRevision: AppendExpectedRevision },
  ): Promise<EsdbAppendResult> {
    return this.server.appendToStream(streamName, events, options.expectedRevision);
  }

  readStream(streamName: string, options: EsdbReadStreamOptions): AsyncIterable<ResolvedEvent> {
    const server = this.server;
    return (async function* () {
      await Promise.resolve();
      yield* server.readStream(streamName, options);
    })();
  }

  readAll(options: EsdbReadAllOptions): AsyncIterable<AllStreamResolvedEvent> {
    this.readAllRequests.push(options);
    const server = this.server;
    return (async function* () {
      await Promise.resolve();
      yield* server.readAll(options);
    })();
  }

  subscribeToAll(
    options: SubscribeToAllOptions,
    readableOptions: ReadableOptions,
  ): FakeSubscription {
    return this.server.subscribe(options, readableOptions);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

function systemEvent(type: string): EventData {
  return {
    id: randomUUID(),
    contentType: 'application/json',
    type,
    data: { system: true },
    metadata: undefined,
  };
}

/** As the client encodes metadata: a plain Uint8Array as is, another truthy value as JSON, a falsy one not at all. */
function encodeMetadata(metadata: unknown): Buffer {
  if (!metadata) return Buffer.alloc(0);
  if (metadata instanceof Uint8Array && metadata.constructor === Uint8Array)
    return Buffer.from(metadata);
  return Buffer.from(JSON.stringify(metadata), 'utf8');
}

function matches(record: FakeRecord, filter: Filter | undefined): boolean {
  if (!filter) return true;
  const value = filter.filterOn === 'eventType' ? record.type : record.streamName;
  if ('prefixes' in filter) return filter.prefixes.some((p) => value.startsWith(p));
  return new RegExp(filter.regex).test(value);
}

/** As the client decodes a record (`convertGrpcRecord`). */
function toRecorded(record: FakeRecord): EsdbRecordedEvent & { position: Position } {
  const position = { commit: record.position, prepare: record.position };
  let metadata: unknown;
  if (record.metadata.length > 0) {
    try {
      metadata = JSON.parse(record.metadata.toString('utf8'));
    } catch {
      metadata = new Uint8Array(record.metadata);
    }
  }
  const common = {
    streamId: record.streamName,
    id: record.id,
    revision: record.revision,
    type: record.type,
    created: record.created,
    position,
  };
  if (record.contentType === 'application/json') {
    return {
      ...common,
      isJson: true,
      data: JSON.parse(record.data.toString('utf8')),
      metadata,
    } as EsdbRecordedEvent & { position: Position };
  }
  return {
    ...common,
    isJson: false,
    data: new Uint8Array(record.data),
    metadata,
  } as EsdbRecordedEvent & { position: Position };
}

function toAllResolved(record: FakeRecord): AllStreamResolvedEvent {
  return { event: toRecorded(record), commitPosition: record.position };
}
