import { type ReadableOptions } from 'node:stream';
import {
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendResult as EsdbAppendResult,
  BACKWARDS,
  type Direction,
  END,
  EVENT_TYPE,
  EventStoreDBClient,
  type EventData,
  type Filter,
  type ReadPosition,
  type ReadRevision,
  type ResolvedEvent,
  START,
  type SubscribeToAllOptions,
} from '@eventstore/db-client';
import { ReadStream } from '@eventstore/db-client/dist/streams/utils/ReadStream';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils/convertGrpcEvent';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadReq } from '@eventstore/db-client/generated/streams_pb';

export interface EsdbReadStreamOptions {
  readonly direction: Direction;
  readonly fromRevision: ReadRevision;
  readonly maxCount: bigint;
}

export interface EsdbReadAllOptions {
  readonly direction: Direction;
  readonly fromPosition: ReadPosition;
  readonly maxCount: bigint;
  /** A server-side filter (`streamNameFilter` / `eventTypeFilter`); none reads everything. */
  readonly filter?: Filter;
}

/** What the adapter uses of a catch-up subscription (`AllStreamSubscription` of the client). */
export interface EsdbSubscription {
  /** The next event received, or null when none is buffered (paused mode: we pull). */
  read(): AllStreamResolvedEvent | null;
  /** Events received and not yet read. */
  readonly readableLength: number;
  on(
    event: 'readable' | 'end' | 'close' | 'caughtUp' | 'fellBehind' | 'confirmation',
    listener: () => void,
  ): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(
    event: 'readable' | 'end' | 'close' | 'caughtUp' | 'fellBehind' | 'confirmation',
    listener: () => void,
  ): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  unsubscribe(): Promise<void>;
  destroy(): unknown;
}

/**
 * The part of the EventStoreDB client the adapter uses. `connectEsdbClient` provides it
 * over `@eventstore/db-client`; unit tests provide an in-memory stand-in.
 */
export interface EsdbClient {
  appendToStream(
    streamName: string,
    events: EventData[],
    options: { expectedRevision: AppendExpectedRevision },
  ): Promise<EsdbAppendResult>;
  /** Throws StreamNotFoundError while iterating when the stream does not exist. */
  readStream(streamName: string, options: EsdbReadStreamOptions): AsyncIterable<ResolvedEvent>;
  readAll(options: EsdbReadAllOptions): AsyncIterable<AllStreamResolvedEvent>;
  subscribeToAll(
    options: SubscribeToAllOptions,
    readableOptions: ReadableOptions,
  ): EsdbSubscription;
  dispose(): Promise<void>;
}

/** An `EsdbClient` over `@eventstore/db-client` for a connection string (`esdb://…`). */
export function connectEsdbClient(connectionString: string): EsdbClient {
  const client = EventStoreDBClient.connectionString(connectionString);
  return {
    appendToStream: (streamName, events, options) =>
      client.appendToStream(streamName, events, options),
    readStream: (streamName, options) => client.readStream(streamName, options),
    readAll: (options) =>
      options.filter
        ? filteredReadAll(client, options)
        : client.readAll({
            direction: options.direction,
            fromPosition: options.fromPosition,
            maxCount: options.maxCount,
          }),
    subscribeToAll: (options, readableOptions) => client.subscribeToAll(options, readableOptions),
    dispose: () => client.dispose(),
  };
}

type ReadCall = ReturnType<StreamsClient['read']>;
/** `[metadata, callOptions]` of `StreamsClient.read` (its last overload). */
type ReadCallArguments =
  Parameters<StreamsClient['read']> extends [unknown, ...infer Rest] ? Rest : never;

/**
 * The two protected members of the 6.x client that its own `readAll` uses to open a read
 * (`dist/streams/readAll.js`). They are instance properties, so a filtered read can use
 * them the same way. Pinned to `@eventstore/db-client` 6.2: a test checks they exist.
 */
interface ClientInternals {
  GRPCStreamCreator(
    client: typeof StreamsClient,
    debugName: string,
    creator: (client: StreamsClient) => ReadCall,
  ): () => Promise<ReadCall>;
  callArguments(options: object, callOptions: { deadline: number }): ReadCallArguments;
}

export function clientInternals(client: EventStoreDBClient): ClientInternals {
  const internals = client as unknown as Partial<ClientInternals>;
  if (
    typeof internals.GRPCStreamCreator !== 'function' ||
    typeof internals.callArguments !== 'function'
  ) {
    throw new Error(
      'this @eventstore/db-client has no GRPCStreamCreator/callArguments: server-side filtered reads of $all need 6.x; use readFilter=client',
    );
  }
  return internals as ClientInternals;
}

/**
 * Reads `$all` with a server-side filter. The server has supported filtered reads of
 * `$all` (not only subscriptions) since 21.10, but the 6.x Node client's `readAll` always
 * sends "no filter"; this sends the same request as that `readAll`, with the filter options
 * its `subscribeToAll` builds.
 */
function filteredReadAll(
  client: EventStoreDBClient,
  options: EsdbReadAllOptions,
): AsyncIterable<AllStreamResolvedEvent> {
  const internals = clientInternals(client);
  const request = buildReadAllRequest(options);
  const createStream = internals.GRPCStreamCreator(StreamsClient, 'readAll', (streams) =>
    streams.read(request, ...internals.callArguments({}, { deadline: Infinity })),
  );
  return new ReadStream<AllStreamResolvedEvent>(
    createStream,
    (event) => convertGrpcEvent(event) as unknown as AllStreamResolvedEvent,
    {},
  );
}

/** The gRPC request of a (filtered) read of `$all`; exported for tests. */
export function buildReadAllRequest(options: EsdbReadAllOptions): ReadReq {
  const uuidOption = new ReadReq.Options.UUIDOption();
  uuidOption.setString(new Empty());
  const all = new ReadReq.Options.AllOptions();
  if (options.fromPosition === START) all.setStart(new Empty());
  else if (options.fromPosition === END) all.setEnd(new Empty());
  else {
    const position = new ReadReq.Options.Position();
    position.setCommitPosition(options.fromPosition.commit.toString(10));
    position.setPreparePosition(options.fromPosition.prepare.toString(10));
    all.setPosition(position);
  }
  const readOptions = new ReadReq.Options();
  readOptions.setAll(all);
  readOptions.setResolveLinks(false);
  readOptions.setCount(options.maxCount.toString(10));
  readOptions.setUuidOption(uuidOption);
  readOptions.setReadDirection(
    options.direction === BACKWARDS
      ? ReadReq.Options.ReadDirection.BACKWARDS
      : ReadReq.Options.ReadDirection.FORWARDS,
  );
  const filter = options.filter;
  if (filter) {
    const expression = new ReadReq.Options.FilterOptions.Expression();
    if ('prefixes' in filter) expression.setPrefixList(filter.prefixes);
    if ('regex' in filter) expression.setRegex(filter.regex);
    const filterOptions = new ReadReq.Options.FilterOptions();
    if (filter.filterOn === EVENT_TYPE) filterOptions.setEventType(expression);
    else filterOptions.setStreamIdentifier(expression);
    if (typeof filter.maxSearchWindow === 'number') filterOptions.setMax(filter.maxSearchWindow);
    else filterOptions.setCount(new Empty());
    filterOptions.setCheckpointintervalmultiplier(Math.max(1, filter.checkpointInterval));
    readOptions.setFilter(filterOptions);
  } else {
    readOptions.setNoFilter(new Empty());
  }
  const request = new ReadReq();
  request.setOptions(readOptions);
  return request;
}
