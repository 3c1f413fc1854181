import { randomUUID } from 'node:crypto';
import {
  ANY,
  END,
  EventStoreDBClient,
  MaxAppendSizeExceededError,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { PassThrough } from 'node:stream';
import { Subscription as ClientSubscription } from '@eventstore/db-client/dist/streams/utils/Subscription';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils/convertGrpcEvent';
import { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import {
  EventIdConflictError,
  EventTooLargeError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '../errors';
import { type NewEvent, type RecordedEvent, type Subscription } from '../event-store';
import { buildReadAllRequest, clientInternals } from './esdb-client';
import { EsdbEventStore, esdbEventStoreFromUrl, esdbFilter } from './esdb-event-store';
import {
  actualRevisionOf,
  isOurs,
  toRecordedEvent,
  positionNumber,
  readPositionAfter,
  StreamNames,
  toEsdbExpectedRevision,
  toEventData,
  toStoreAppendError,
} from './esdb-mapping';
import { esdbCatchUpSubscription, isTransientEsdbError, reconnectDelay } from './esdb-subscription';
import { parseEsdbUrl } from './esdb-url';
import { type FakeEsdbClient, FakeEsdbServer } from './fake-esdb-client';

const event = (
  data: unknown = { n: 1 },
  type = 'test.happened.v1',
  metadata?: unknown,
): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  ...(metadata === undefined ? {} : { metadata }),
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('parseEsdbUrl', () => {
  it('passes an esdb:// URL through and has no stream prefix by default', () => {
    expect(parseEsdbUrl('esdb://127.0.0.1:2113?tls=false')).toEqual({
      connectionString: 'esdb://127.0.0.1:2113?tls=false',
      streamPrefix: '',
    });
  });

  it('takes kurrentdb:// and the discover schemes, and removes Rapport parameters', () => {
    expect(
      parseEsdbUrl(
        'kurrentdb://admin:changeit@host:2113?tls=false&streamPrefix=run-1-&idLookback=50',
      ),
    ).toEqual({
      connectionString: 'esdb://admin:changeit@host:2113?tls=false',
      streamPrefix: 'run-1-',
      idLookback: 50,
    });
    expect(parseEsdbUrl('kurrentdb+discover://a:2113,b:2113').connectionString).toBe(
      'esdb+discover://a:2113,b:2113',
    );
    expect(parseEsdbUrl('kdb://h?stream_prefix=x&readFilter=client&maxEventBytes=10')).toEqual({
      connectionString: 'esdb://h',
      streamPrefix: 'x',
      readFilter: 'client',
      maxEventBytes: 10,
    });
    expect(parseEsdbUrl('esdb://h:2113/?StreamPrefix=a%26b-&tls=false').streamPrefix).toBe('a&b-');
  });

  it('refuses other schemes, reserved prefixes and bad values', () => {
    expect(() => parseEsdbUrl('postgres://h')).toThrow(/esdb:\/\//);
    expect(() => parseEsdbUrl('esdb://')).toThrow(/host/);
    expect(() => parseEsdbUrl('esdb://h?streamPrefix=%24all')).toThrow(/reserved/);
    expect(() => parseEsdbUrl('esdb://h?idLookback=-1')).toThrow(/idLookback/);
    expect(() => parseEsdbUrl('esdb://h?maxEventBytes=0')).toThrow(/maxEventBytes/);
    expect(() => parseEsdbUrl('esdb://h?readFilter=maybe')).toThrow(/readFilter/);
  });

  it('leaves a connection string the 6.x client parses without warnings', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const { connectionString } = parseEsdbUrl(
        'kurrentdb://127.0.0.1:2113?tls=false&streamPrefix=t-&keepAliveInterval=15000',
      );
      const client = EventStoreDBClient.connectionString(connectionString);
      await client.dispose();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('esdbEventStoreFromUrl builds a store without connecting', async () => {
    const store = esdbEventStoreFromUrl('esdb://127.0.0.1:1?tls=false&streamPrefix=p-');
    expect(store.streamPrefix).toBe('p-');
    await store.close();
  });

  it("refuses withinTransaction: the log has no tables of the caller's", async () => {
    const store = esdbEventStoreFromUrl('esdb://127.0.0.1:1?tls=false');
    const withinTransaction = jest.fn();
    const event = { id: randomUUID(), type: 't.v1', data: {} };
    await expect(store.append('s', [event], 'any', { withinTransaction })).rejects.toThrow(
      'not supported',
    );
    await expect(
      store.appendMany([{ streamId: 's', events: [event], expectedRevision: 'any' }], {
        withinTransaction,
      }),
    ).rejects.toThrow('not supported');
    expect(withinTransaction).not.toHaveBeenCalled();
    await store.close();
  });
});

describe('EventStoreDB mappings', () => {
  it('maps expected revisions exactly', () => {
    expect(toEsdbExpectedRevision('any')).toBe(ANY);
    expect(toEsdbExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toEsdbExpectedRevision('stream_exists')).toBe(STREAM_EXISTS);
    expect(toEsdbExpectedRevision(0)).toBe(0n);
    expect(toEsdbExpectedRevision(41)).toBe(41n);
    expect(toEsdbExpectedRevision(-1)).toBe(NO_STREAM);
    expect(() => toEsdbExpectedRevision(-2)).toThrow(InvalidAppendError);
    expect(() => toEsdbExpectedRevision(1.5)).toThrow(InvalidAppendError);
  });

  it("maps the client's WrongExpectedVersionError to WrongExpectedRevisionError with the actual revision", () => {
    const atOne = new WrongExpectedVersionError(undefined, {
      streamName: 'p-s',
      expected: 0n,
      current: 1n,
    });
    expect(actualRevisionOf(atOne)).toBe(1);
    const mapped = toStoreAppendError(atOne, 's', 0, []);
    expect(mapped).toBeInstanceOf(WrongExpectedRevisionError);
    expect(mapped).toMatchObject({ streamId: 's', expected: 0, actual: 1 });

    const missing = new WrongExpectedVersionError(undefined, {
      streamName: 'p-s',
      expected: 'stream_exists',
      current: 'no_stream',
    });
    expect(toStoreAppendError(missing, 's', 'stream_exists', [])).toMatchObject({
      name: 'WrongExpectedRevisionError',
      actual: -1,
    });
    // The form the client builds from a gRPC error's metadata (the non-batch append path).
    const fromMetadata = new WrongExpectedVersionError({
      code: 9,
      details: '',
      message: 'wrong expected version',
      name: 'Error',
      metadata: {
        getMap: () => ({ 'stream-name': 'p-s', 'expected-version': '3', 'actual-version': '7' }),
      },
    } as never);
    expect(toStoreAppendError(fromMetadata, 's', 3, [])).toMatchObject({ expected: 3, actual: 7 });
  });

  it("maps the server's append size limit to EventTooLargeError and passes other errors through", () => {
    const events = [
      { id: 'a', type: 't', dataFormat: 'json' as const, data: '"x"', metadata: '{}' },
      { id: 'b', type: 't', dataFormat: 'json' as const, data: '"xxxx"', metadata: '{}' },
    ];
    const mapped = toStoreAppendError(
      MaxAppendSizeExceededError.fromMaxAppendSize(1024),
      's',
      'any',
      events,
    );
    expect(mapped).toBeInstanceOf(EventTooLargeError);
    expect(mapped).toMatchObject({ eventId: 'b', sizeBytes: 3 + 2 + 6 + 2, maxBytes: 1024 });
    const other = new UnavailableError();
    expect(toStoreAppendError(other, 's', 'any', events)).toBe(other);
  });

  it('maps stream ids under a prefix and back, and tells ours from system and foreign streams', () => {
    const names = new StreamNames('run-7-');
    expect(names.toEsdb('customer-1')).toBe('run-7-customer-1');
    expect(names.fromEsdb('run-7-customer-1')).toBe('customer-1');
    expect(names.fromEsdb('run-8-customer-1')).toBeUndefined();
    expect(names.fromEsdb('$stats-1')).toBeUndefined();
    expect(names.fromEsdb('run-7-')).toBeUndefined();
    expect(isOurs({ streamId: 'run-7-a', type: 'x.v1' }, names)).toBe(true);
    expect(isOurs({ streamId: 'run-7-a', type: '$metadata' }, names)).toBe(false);
    const none = new StreamNames('');
    expect(none.fromEsdb('customer-1')).toBe('customer-1');
    expect(none.fromEsdb('$$customer-1')).toBeUndefined();
    expect(() => new StreamNames('$x')).toThrow(/reserved/);
  });

  it('uses commit positions as checkpoints and starts reads from them', () => {
    expect(positionNumber({ commit: 12345n, prepare: 12345n })).toBe(12345);
    expect(() => positionNumber({ commit: 2n ** 53n, prepare: 0n })).toThrow(RangeError);
    expect(readPositionAfter(0)).toBe(START);
    expect(readPositionAfter(4242)).toEqual({ commit: 4242n, prepare: 4242n });
    expect(() => readPositionAfter(-1)).toThrow(RangeError);
    expect(() => readPositionAfter(1.5)).toThrow(RangeError);
  });

  it('sends JSON as its value, binary as bytes, and metadata always as the bytes of its JSON', () => {
    const json = toEventData({
      id: 'a',
      type: 't',
      dataFormat: 'json',
      data: '{"k":[1,null]}',
      metadata: '0',
    });
    expect(json).toMatchObject({ contentType: 'application/json', data: { k: [1, null] } });
    expect(json.metadata?.constructor).toBe(Uint8Array);
    expect(Buffer.from(json.metadata as Uint8Array).toString()).toBe('0');
    const binary = toEventData({
      id: 'b',
      type: 't',
      dataFormat: 'binary',
      data: Buffer.from([0, 255]),
      metadata: '{}',
    });
    expect(binary.contentType).toBe('application/octet-stream');
    expect([...(binary.data as Uint8Array)]).toEqual([0, 255]);
  });

  it('filters $all on the stream prefix, or on non-system event types without one', () => {
    expect(esdbFilter('run-1-')).toMatchObject({ filterOn: 'streamName', prefixes: ['run-1-'] });
    expect(esdbFilter('')).toMatchObject({ filterOn: 'eventType', regex: '^[^$]' });
  });

  it('classifies transient errors and backs off exponentially, capped', () => {
    expect(isTransientEsdbError(new UnavailableError())).toBe(true);
    expect(isTransientEsdbError(Object.assign(new Error('x'), { code: 14 }))).toBe(true);
    expect(isTransientEsdbError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientEsdbError(new StreamNotFoundError(undefined, 's'))).toBe(false);
    expect(isTransientEsdbError(new Error('handler bug'))).toBe(false);
    const options = { initialDelayMs: 100, maxDelayMs: 1000 };
    expect(reconnectDelay(1, options)).toBeGreaterThanOrEqual(80);
    expect(reconnectDelay(1, options)).toBeLessThanOrEqual(120);
    expect(reconnectDelay(10, options)).toBeLessThanOrEqual(1200);
  });
});

describe('filtered reads of $all (the 6.2 client internals they use)', () => {
  it('builds the read request with a server-side filter', () => {
    const request = buildReadAllRequest({
      direction: 'forwards',
      fromPosition: { commit: 1234n, prepare: 1234n },
      maxCount: 11n,
      filter: esdbFilter('run-1-'),
    });
    const options = request.getOptions() as ReadReq.Options;
    expect(options.getAll()?.getPosition()?.getCommitPosition()).toBe('1234');
    expect(options.getAll()?.getPosition()?.getPreparePosition()).toBe('1234');
    expect(options.getCount()).toBe('11');
    expect(options.getReadDirection()).toBe(ReadReq.Options.ReadDirection.FORWARDS);
    expect(options.hasSubscription()).toBe(false);
    expect(options.getResolveLinks()).toBe(false);
    const filter = options.getFilter() as ReadReq.Options.FilterOptions;
    expect(filter.getStreamIdentifier()?.getPrefixList()).toEqual(['run-1-']);
    expect(filter.getWindowCase()).toBe(ReadReq.Options.FilterOptions.WindowCase.COUNT);
    expect(options.getUuidOption()?.hasString()).toBe(true);

    const backwards = buildReadAllRequest({
      direction: 'backwards',
      fromPosition: END,
      maxCount: 1n,
      filter: esdbFilter(''),
    }).getOptions() as ReadReq.Options;
    expect(backwards.getAll()?.hasEnd()).toBe(true);
    expect(backwards.getReadDirection()).toBe(ReadReq.Options.ReadDirection.BACKWARDS);
    expect(backwards.getFilter()?.getEventType()?.getRegex()).toBe('^[^$]');

    const unfiltered = buildReadAllRequest({
      direction: 'forwards',
      fromPosition: START,
      maxCount: 5n,
    }).getOptions() as ReadReq.Options;
    expect(unfiltered.getAll()?.hasStart()).toBe(true);
    expect(unfiltered.hasNoFilter()).toBe(true);
  });

  it('finds the protected members of the installed client it opens reads with', async () => {
    const client = EventStoreDBClient.connectionString('esdb://127.0.0.1:1?tls=false');
    try {
      const internals = clientInternals(client);
      expect(typeof internals.GRPCStreamCreator).toBe('function');
      expect(internals.callArguments({}, { deadline: Infinity })).toHaveLength(2);
    } finally {
      await client.dispose();
    }
  });
});

describe.each(['server', 'client'] as const)(
  'EsdbEventStore over a fake server (readFilter %s)',
  (readFilter) => {
    let server: FakeEsdbServer;
    let store: EsdbEventStore;
    let client: FakeEsdbClient;
    const open = (prefix = `t-${randomUUID().slice(0, 6)}-`, idLookback?: number) =>
      new EsdbEventStore({
        client: (client = server.client()),
        streamPrefix: prefix,
        readFilter,
        maxEventBytes: 4096,
        reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
        log: () => undefined,
        ...(idLookback === undefined ? {} : { idLookback }),
      });

    beforeEach(() => {
      server = new FakeEsdbServer();
      store = open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores under the prefix, reads back under our ids, with $all commit positions', async () => {
      const result = await store.append('s-1', [event({ a: 1 }), event({ a: 2 })], 'no_stream');
      expect(result.events.map((e) => e.revision)).toEqual([0, 1]);
      const stored = server.log.filter((r) => r.streamName === `${store.streamPrefix}s-1`);
      expect(result.events.map((e) => e.position)).toEqual(stored.map((r) => Number(r.position)));
      expect(result.position).toBe(Number(stored[1].position));
      const read = await store.readStream('s-1');
      expect(read.map((e) => [e.streamId, e.position])).toEqual(
        result.events.map((e) => ['s-1', e.position]),
      );
      expect(await store.headPosition()).toBe(result.position);
    });

    it('keeps system events and other prefixes out of readAll and headPosition', async () => {
      const other = new EsdbEventStore({ client: server.client(), streamPrefix: 'other-' });
      await other.append('s', [event()]);
      const mine = await store.append('s', [event(), event(), event()]);
      await other.append('s', [event()]);
      const all = await store.readAll();
      expect(all.map((e) => e.id)).toEqual(mine.events.map((e) => e.id));
      expect(await store.headPosition()).toBe(mine.position);
      const page = await store.readAll({ after: all[0].position, maxCount: 1 });
      expect(page.map((e) => e.position)).toEqual([all[1].position]);
      // Server mode asks the server to filter; client mode reads $all unfiltered.
      expect(client.readAllRequests.length).toBeGreaterThan(0);
      expect(client.readAllRequests.every((r) => r.filter !== undefined)).toBe(
        readFilter === 'server',
      );
      await other.close();
    });

    it('answers a retry with the original revisions and positions, and refuses other content', async () => {
      const events = [event({ k: 1, z: [1, 2] }), event({ k: 2 })];
      const first = await store.append('s', events, 'no_stream');
      await store.append('s', [event()]);
      const again = await store.append('s', events, 'no_stream');
      expect(again.events).toEqual(first.events.map((e) => ({ ...e, duplicate: true })));
      expect(again.nextExpectedRevision).toBe(2);
      const reordered = await store.append('s', [{ ...events[0], data: { z: [1, 2], k: 1 } }]);
      expect(reordered.events[0]).toMatchObject({
        position: first.events[0].position,
        duplicate: true,
      });
      await expect(store.append('s', [{ ...events[0], data: { k: 9 } }])).rejects.toBeInstanceOf(
        EventIdConflictError,
      );
      const [one, two] = [event(), event()];
      const mixed = await store.append('s', [events[1], one, one, two]);
      expect(mixed.events.map((e) => [e.revision, e.duplicate])).toEqual([
        [1, true],
        [3, false],
        [3, true],
        [4, false],
      ]);
      expect((await store.readStream('s')).length).toBe(5);
    });

    it('only looks back idLookback events for known ids (the documented limit)', async () => {
      await store.close();
      store = open(undefined, 2);
      const old = event();
      await store.append('s', [old]);
      await store.append('s', [event(), event()]);
      const again = await store.append('s', [old]);
      expect(again.events[0].duplicate).toBe(false);
      expect((await store.readStream('s')).length).toBe(4);
    });

    it('maps expected revisions and reports the actual revision on refusal', async () => {
      await store.append('s', [event()], 'no_stream');
      await store.append('s', [event()], 0);
      await expect(store.append('s', [event()], 0)).rejects.toMatchObject({
        name: 'WrongExpectedRevisionError',
        streamId: 's',
        expected: 0,
        actual: 1,
      });
      await expect(store.append('missing', [event()], 'stream_exists')).rejects.toMatchObject({
        actual: -1,
      });
      await expect(store.append('s', [], 'no_stream')).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      expect(await store.append('s', [], 1)).toMatchObject({ nextExpectedRevision: 1, events: [] });
    });

    it('round-trips binary data as a Buffer, JSON of any kind, and falsy metadata', async () => {
      const bytes = Buffer.from([0, 0xff, 0xc3, 0x28]);
      await store.append('b', [
        event(bytes, 'bin.v1', 0),
        event(null, 'null.v1', false),
        event('text', 'string.v1'),
      ]);
      const read = await store.readStream('b');
      expect(Buffer.isBuffer(read[0].data)).toBe(true);
      expect((read[0].data as Buffer).equals(bytes)).toBe(true);
      expect(read[0].metadata).toBe(0);
      expect(read[1]).toMatchObject({ data: null, metadata: false });
      expect(read[2]).toMatchObject({ data: 'text', metadata: {} });
      expect((await store.readAll()).map((e) => e.type)).toEqual([
        'bin.v1',
        'null.v1',
        'string.v1',
      ]);
      const again = await store.append('b', [
        { ...event(), id: read[0].id, type: 'bin.v1', data: Buffer.from(bytes), metadata: 0 },
      ]);
      expect(again.events[0].duplicate).toBe(true);
    });

    it('refuses oversized events, reserved types and bad ids before writing anything', async () => {
      await expect(store.append('s', [event({ blob: 'x'.repeat(5000) })])).rejects.toBeInstanceOf(
        EventTooLargeError,
      );
      await expect(store.append('s', [event({}, '$system')])).rejects.toBeInstanceOf(
        InvalidAppendError,
      );
      await expect(store.append('$s', [event()])).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.append('s', [{ ...event(), id: 'nope' }])).rejects.toBeInstanceOf(
        InvalidAppendError,
      );
      expect(await store.headPosition()).toBe(0);
      expect(await store.readStream('s')).toEqual([]);
    });

    it('appendMany reports each request, and lets a connection failure end the call', async () => {
      await store.append('m-1', [event()]);
      const outcomes = await store.appendMany([
        { streamId: 'm-1', events: [event()], expectedRevision: 0 },
        { streamId: 'm-2', events: [event()], expectedRevision: 3 },
        { streamId: 'm-3', events: [event()], expectedRevision: 'no_stream' },
      ]);
      expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
      server.failNextAppend = new UnavailableError();
      await expect(
        store.appendMany([{ streamId: 'm-4', events: [event()], expectedRevision: 'any' }]),
      ).rejects.toBeInstanceOf(UnavailableError);
    });

    it('a subscription replays after the checkpoint, follows live appends, and batches with backpressure', async () => {
      for (let i = 0; i < 10; i += 1) await store.append(`c-${i % 3}`, [event({ i })]);
      const all = await store.readAll();
      const seen: RecordedEvent[] = [];
      const batches: number[] = [];
      let inFlight = 0;
      let overlapped = false;
      const caughtUp: number[] = [];
      const sub = store.subscribeToAll(
        { after: all[3].position, batchSize: 3 },
        {
          async onEvents(events) {
            overlapped ||= inFlight > 0;
            inFlight += 1;
            batches.push(events.length);
            await new Promise((r) => setTimeout(r, 3));
            seen.push(...events);
            inFlight -= 1;
          },
          onCaughtUp: (p) => void caughtUp.push(p),
        },
      );
      await waitUntil(() => caughtUp.length > 0);
      expect(caughtUp[0]).toBe(all[9].position);
      expect(seen.map((e) => e.position)).toEqual(all.slice(4).map((e) => e.position));
      const live = await store.append('c-live', [event(), event()]);
      await waitUntil(() => seen.length === 8);
      expect(seen.slice(6).map((e) => e.position)).toEqual(live.events.map((e) => e.position));
      await waitUntil(() => caughtUp.length > 1);
      expect(caughtUp[caughtUp.length - 1]).toBe(live.position);
      expect(overlapped).toBe(false);
      expect(Math.max(...batches)).toBeLessThanOrEqual(3);
      await sub.stop();
      await expect(sub.finished).resolves.toBeUndefined();
      await waitUntil(() => server.activeSubscriptions === 0);
    });

    it('reports caught up on an empty store, and when the server never says so', async () => {
      server.sendsCaughtUp = false;
      const caughtUp: number[] = [];
      const sub = store.subscribeToAll(
        {},
        { onEvents: () => undefined, onCaughtUp: (p) => void caughtUp.push(p) },
      );
      await waitUntil(() => caughtUp.length > 0);
      expect(caughtUp).toEqual([0]);
      await sub.stop();
    });

    it('resubscribes from the last handled position after a dropped connection, without duplicates', async () => {
      const lines: string[] = [];
      await store.close();
      store = new EsdbEventStore({
        client: server.client(),
        streamPrefix: 'r-',
        readFilter,
        reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
        log: (line) => void lines.push(line),
      });
      for (let i = 0; i < 5; i += 1) await store.append('r', [event({ i })]);
      const seen: RecordedEvent[] = [];
      let caughtUp = 0;
      const sub: Subscription = store.subscribeToAll(
        { batchSize: 2 },
        { onEvents: (events) => void seen.push(...events), onCaughtUp: () => void (caughtUp += 1) },
      );
      await waitUntil(() => caughtUp > 0);
      server.dropSubscriptions(new UnavailableError());
      for (let i = 5; i < 8; i += 1) await store.append('r', [event({ i })]);
      await waitUntil(() => seen.length >= 8);
      await new Promise((r) => setTimeout(r, 20));
      expect(seen.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(lines.some((l) => l.includes('resubscribing after position'))).toBe(true);
      await sub.stop();
      await expect(sub.finished).resolves.toBeUndefined();
    });

    it('ends the subscription with the handler error, or with an error that is not transient', async () => {
      await store.append('f', [event()]);
      const failing = store.subscribeToAll(
        {},
        { onEvents: () => Promise.reject(new Error('projection broke')) },
      );
      await expect(failing.finished).rejects.toThrow('projection broke');
      let caughtUp = false;
      const dropped = store.subscribeToAll(
        {},
        { onEvents: () => undefined, onCaughtUp: () => void (caughtUp = true) },
      );
      await waitUntil(() => caughtUp);
      server.dropSubscriptions(new StreamNotFoundError(undefined, '$all'));
      await expect(dropped.finished).rejects.toBeInstanceOf(StreamNotFoundError);
    });

    it('close stops subscriptions and disposes the client', async () => {
      const sub = store.subscribeToAll({}, { onEvents: () => undefined });
      await store.close();
      await expect(sub.finished).resolves.toBeUndefined();
      expect(client.disposed).toBe(true);
      await store.close();
    });
  },
);

describe("the subscription logic over the 6.2 client's own Subscription stream", () => {
  /** A ReadResp as the server sends it for an event of `$all`. */
  function eventResp(n: number): ReadResp {
    const record = new ReadResp.ReadEvent.RecordedEvent();
    const id = new UUID();
    id.setString(randomUUID());
    record.setId(id);
    const stream = new StreamIdentifier();
    stream.setStreamName(Buffer.from(`s-${n % 3}`));
    record.setStreamIdentifier(stream);
    record.setStreamRevision(String(Math.floor(n / 3)));
    const position = String(1000 + n * 137);
    record.setCommitPosition(position);
    record.setPreparePosition(position);
    record.getMetadataMap().set('type', 'n.v1');
    record.getMetadataMap().set('content-type', 'application/json');
    record.getMetadataMap().set('created', String(BigInt(Date.now()) * 10000n));
    record.setData(Buffer.from(JSON.stringify({ n })));
    record.setCustomMetadata(Buffer.from('{}'));
    const event = new ReadResp.ReadEvent();
    event.setEvent(record);
    event.setCommitPosition(position);
    const resp = new ReadResp();
    resp.setEvent(event);
    return resp;
  }
  const caughtUpResp = () => new ReadResp().setCaughtUp(new ReadResp.CaughtUp());

  it('reports caught up only when everything before the server\'s "caught up" is handled, with backpressure', async () => {
    // Stands in for the gRPC call the client pipes into its Subscription.
    const grpc = Object.assign(new PassThrough({ objectMode: true }), {
      cancel(this: PassThrough) {
        this.end();
      },
    });
    let subscription: ClientSubscription<unknown> | undefined;
    const seen: number[] = [];
    const caughtUp: { at: number; seen: number }[] = [];
    let unsubscribed = false;
    const sub = esdbCatchUpSubscription(
      {
        subscribe: (_from, highWaterMark) => {
          subscription = new ClientSubscription(async () => grpc as never, convertGrpcEvent, {
            highWaterMark,
          });
          const unsubscribe = subscription.unsubscribe.bind(subscription);
          subscription.unsubscribe = async () => {
            unsubscribed = true;
            await unsubscribe().catch(() => undefined);
          };
          return subscription as never;
        },
        // A head far away: only the server's message can say "caught up".
        headPosition: async () => Number.MAX_SAFE_INTEGER,
        positionOf: (resolved) => Number(resolved.commitPosition ?? 0n),
        toRecorded: (resolved) =>
          resolved.event
            ? toRecordedEvent(
                resolved.event,
                resolved.event.streamId,
                Number(resolved.commitPosition),
              )
            : undefined,
        reconnect: { initialDelayMs: 5, maxDelayMs: 10 },
        log: () => undefined,
      },
      { batchSize: 5 },
      {
        async onEvents(events) {
          await new Promise((r) => setTimeout(r, 2));
          seen.push(...events.map((e) => (e.data as { n: number }).n));
        },
        onCaughtUp: (at) => void caughtUp.push({ at, seen: seen.length }),
      },
    );
    await waitUntil(() => subscription !== undefined);
    // 40 events then "caught up": far more than the client buffers (highWaterMark 16).
    for (let n = 0; n < 40; n += 1) grpc.write(eventResp(n));
    grpc.write(caughtUpResp());
    await waitUntil(() => caughtUp.length > 0);
    expect(caughtUp[0]).toEqual({ at: 1000 + 39 * 137, seen: 40 });
    expect(seen).toEqual(Array.from({ length: 40 }, (_, n) => n));
    grpc.write(eventResp(40));
    await waitUntil(() => caughtUp.length > 1);
    expect(caughtUp[1]).toEqual({ at: 1000 + 40 * 137, seen: 41 });
    await sub.stop();
    expect(unsubscribed).toBe(true);
    await expect(sub.finished).resolves.toBeUndefined();
  });
});
