import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import { SqliteEventStore } from '@rapport/event-store';
import { storeChokingOn } from '@rapport/testing';
import { TouchpointIngestion } from './ingest-touchpoints';

const now = () => new Date('2026-06-01T12:00:00Z');

function touchpoint(id: string, data: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id,
    source: 'adapters/email',
    type: 'touchpoint.recorded.v1',
    time: '2026-05-31T09:30:00Z',
    data: {
      channel: 'email',
      direction: 'inbound',
      identity: { kind: 'email', value: `${id}@example.com` },
      ...data,
    },
  };
}

describe('TouchpointIngestion: one event never costs its neighbours', () => {
  let store: SqliteEventStore;
  beforeEach(() => {
    store = new SqliteEventStore({ path: ':memory:' });
  });
  afterEach(() => store.close());

  it('refuses an event that throws during parsing alone, says so, and stores the rest', async () => {
    const reported: string[] = [];
    const ingestion = new TouchpointIngestion(store, {
      now,
      onUnexpectedError: (_, reference) => reported.push(reference),
    });
    // A getter that throws: nothing validation can foresee, as an unknown bug would be.
    const hostile = touchpoint('b');
    Object.defineProperty(hostile.data, 'direction', {
      enumerable: true,
      get: () => {
        throw new Error('boom');
      },
    });
    const results = await ingestion.ingest(
      [touchpoint('a'), hostile, touchpoint('c')],
      UNRESTRICTED_SCOPE,
    );
    expect(results.map((r) => r.status)).toEqual(['accepted', 'failed', 'accepted']);
    const failed = results[1] as { reference: string; message: string };
    expect(reported).toEqual([failed.reference]);
    expect(failed.message).toContain(failed.reference);
    expect(
      (await store.readAll()).map((e) => (e.metadata as { ce: { id: string } }).ce.id),
    ).toEqual(['a', 'c']);
  });

  it('refuses an event the store cannot take alone; its neighbours are appended in order', async () => {
    const reported: unknown[] = [];
    const ingestion = new TouchpointIngestion(storeChokingOn(store, '"poison"'), {
      now,
      onUnexpectedError: (error) => reported.push(error),
    });
    const results = await ingestion.ingest(
      [touchpoint('a'), touchpoint('poison'), touchpoint('c')],
      UNRESTRICTED_SCOPE,
    );
    expect(results.map((r) => r.status)).toEqual(['accepted', 'failed', 'accepted']);
    expect(reported).toHaveLength(1);
    expect(
      (await store.readAll()).map((e) => (e.metadata as { ce: { id: string } }).ce.id),
    ).toEqual(['a', 'c']);
  });

  it('rejects the whole call when the store fails for every event: nothing was acknowledged', async () => {
    const ingestion = new TouchpointIngestion(storeChokingOn(store, 'example.com'), { now });
    await expect(
      ingestion.ingest([touchpoint('a'), touchpoint('b')], UNRESTRICTED_SCOPE),
    ).rejects.toThrow('the store cannot take this event');
    expect(await store.readAll()).toEqual([]);
  });
});
