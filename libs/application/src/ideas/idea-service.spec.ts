import {
  customerMerged,
  IDENTITY_GRAPH_STREAM,
  identityLinked,
  IdeaRefusedError,
  ideaStreamId,
} from '@rapport/domain';
import { identityGraphRedirects } from './customer-resolver';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { IdeaConflictError, IdeaService } from './idea-service';

const AT = '2026-03-01T10:00:00.000Z';
const staff = { kind: 'staff' as const, staffId: 'staff-1' };

describe('IdeaService', () => {
  let store: EventStore;
  let service: IdeaService;
  beforeEach(async () => {
    store = await openEventStore('sqlite::memory:');
    service = new IdeaService(store);
  });
  afterEach(() => store.close());

  const submit = (ideaId = 'i1', customerId = 'ann') =>
    service.submit({ ideaId, title: 'Dark mode', customerId, origin: staff, at: AT });

  it('appends the decided events to idea-<id> and reads them back', async () => {
    const result = await submit();
    expect(result.revision).toBe(1);
    await service.vote('i1', { customerId: 'bob', origin: staff, at: AT });
    const recorded = await store.readStream(ideaStreamId('i1'));
    expect(recorded.map((e) => e.type)).toEqual([
      'idea.submitted.v1',
      'idea.voted.v1',
      'idea.voted.v1',
    ]);
    const { state, revision } = await service.load('i1');
    expect(revision).toBe(2);
    expect([...state!.votes.keys()].sort()).toEqual(['ann', 'bob']);
  });

  it('throws a typed refusal', async () => {
    await submit();
    await expect(
      service.vote('i1', { customerId: 'ann', origin: staff, at: AT }),
    ).rejects.toMatchObject({
      name: 'IdeaRefusedError',
      code: 'already-voted',
    });
    await expect(
      service.changeStatus('i1', { to: 'shipped', staffId: 's', at: AT }),
    ).rejects.toBeInstanceOf(IdeaRefusedError);
  });

  it('reports a conflict when the client’s revision is stale', async () => {
    await submit();
    await service.vote('i1', { customerId: 'bob', origin: staff, at: AT });
    await expect(
      service.changeStatus(
        'i1',
        { to: 'under_review', staffId: 's', at: AT },
        { expectedRevision: 1 },
      ),
    ).rejects.toBeInstanceOf(IdeaConflictError);
    await expect(
      service.changeStatus(
        'i1',
        { to: 'under_review', staffId: 's', at: AT },
        { expectedRevision: 2 },
      ),
    ).resolves.toMatchObject({ revision: 3 });
  });

  it('decides again when another writer got in between read and append', async () => {
    await submit();
    // Another writer appends right after this command read the stream.
    const racing = new IdeaService(store);
    const original = store.readStream.bind(store);
    let raced = false;
    jest.spyOn(store, 'readStream').mockImplementation(async (...args) => {
      const events = await original(...args);
      if (!raced) {
        raced = true;
        await racing.changeStatus('i1', { to: 'under_review', staffId: 's', at: AT });
      }
      return events;
    });
    // Decided first on `new` (a legal move to under_review), then again on under_review: refused.
    await expect(
      service.changeStatus('i1', { to: 'under_review', staffId: 's2', at: AT }),
    ).rejects.toMatchObject({
      code: 'illegal-transition',
    });
    jest.restoreAllMocks();
    const statuses = (await store.readStream(ideaStreamId('i1'))).filter(
      (e) => e.type === 'idea.status-changed.v1',
    );
    expect(statuses).toHaveLength(1);
  });

  it('one concurrent vote each: both land, none lost', async () => {
    await submit();
    await Promise.all(
      ['b', 'c', 'd', 'e'].map((customerId) =>
        service.vote('i1', { customerId, origin: staff, at: AT }),
      ),
    );
    expect((await service.load('i1')).state!.votes.size).toBe(5);
  });

  it('counts a merged customer once', async () => {
    const merged = new IdeaService(store, {
      resolveCustomer: async (id) => (id === 'ann-2' ? 'ann' : id),
    });
    await submit();
    await expect(
      merged.vote('i1', { customerId: 'ann-2', origin: staff, at: AT }),
    ).rejects.toMatchObject({
      code: 'already-voted',
    });
  });

  it('writes a touchpoint’s vote once, whatever happens', async () => {
    await submit();
    const origin = {
      kind: 'touchpoint' as const,
      touchpointEventId: 'tp-1',
      channel: 'email' as const,
    };
    await service.vote('i1', { customerId: 'bob', origin, at: AT });
    await expect(service.vote('i1', { customerId: 'bob', origin, at: AT })).rejects.toMatchObject({
      code: 'duplicate-touchpoint',
    });
  });

  it('merges two ideas; a merge interrupted after the duplicate’s half is finished by a retry', async () => {
    await submit('i1', 'ann');
    await submit('i2', 'bob');
    await service.comment('i2', {
      commentId: 'c1',
      author: { kind: 'customer', customerId: 'bob' },
      text: 'yes',
      at: AT,
    });
    const append = store.append.bind(store);
    const spy = jest
      .spyOn(store, 'append')
      .mockImplementation(async (streamId, events, expected) => {
        if (streamId === ideaStreamId('i1')) throw new Error('crash between the two halves');
        return append(streamId, events, expected);
      });
    await expect(service.merge('i2', 'i1', { staffId: 's', at: AT })).rejects.toThrow('crash');
    spy.mockRestore();
    await service.merge('i2', 'i1', { staffId: 's', at: AT });
    await service.merge('i2', 'i1', { staffId: 's', at: AT }); // idempotent
    const survivor = (await service.load('i1')).state!;
    expect([...survivor.votes.keys()].sort()).toEqual(['ann', 'bob']);
    expect(survivor.comments.map((c) => c.commentId)).toEqual(['c1']);
    expect((await service.find('i2'))!.id).toBe('i1');
    await expect(
      service.vote('i2', { customerId: 'x', origin: staff, at: AT }),
    ).rejects.toMatchObject({
      code: 'idea-merged',
    });
  });

  it('counts a merged customer once with redirects from the identity graph in the log', async () => {
    const by = { kind: 'staff' as const, staffId: 'agent' };
    const graphEvents = [
      identityLinked({
        identity: { kind: 'email', value: 'a@x.io' },
        customerId: 'ann',
        by,
        at: AT,
        reason: 'first-seen',
      }),
      identityLinked({
        identity: { kind: 'email', value: 'a2@x.io' },
        customerId: 'ann-2',
        by,
        at: AT,
        reason: 'first-seen',
      }),
    ];
    await store.append(
      IDENTITY_GRAPH_STREAM,
      graphEvents.map((e, i) => ({ id: `00000000-0000-4000-8000-00000000000${i}`, ...e })),
    );
    const graphAware = new IdeaService(store, { customerRedirects: identityGraphRedirects(store) });
    await submit();
    await graphAware.vote('i1', { customerId: 'ann-2', origin: staff, at: AT }); // not merged yet: a second person
    await graphAware.withdrawVote('i1', { customerId: 'ann-2', origin: staff, at: AT });
    const merged = customerMerged({
      survivorId: 'ann',
      mergedId: 'ann-2',
      evidence: [],
      by,
      at: AT,
      reason: 'staff-decision',
    });
    await store.append(IDENTITY_GRAPH_STREAM, [
      { id: '00000000-0000-4000-8000-000000000009', ...merged },
    ]);
    await expect(
      graphAware.vote('i1', { customerId: 'ann-2', origin: staff, at: AT }),
    ).rejects.toMatchObject({
      code: 'already-voted',
    });
  });

  it('a merge whose survivor was merged on before the second half lands brings the votes where it went', async () => {
    await submit('d1', 'dan');
    await submit('s1', 'sue');
    await submit('t1', 'tom');
    const append = store.append.bind(store);
    const spy = jest
      .spyOn(store, 'append')
      .mockImplementation(async (streamId, events, expected) => {
        if (streamId === ideaStreamId('s1')) throw new Error('crash between the two halves');
        return append(streamId, events, expected);
      });
    await expect(service.merge('d1', 's1', { staffId: 's', at: AT })).rejects.toThrow('crash');
    spy.mockRestore();
    await service.merge('s1', 't1', { staffId: 's', at: AT }); // s1 goes on into t1 meanwhile
    await service.merge('d1', 's1', { staffId: 's', at: AT }); // finishing d1's merge
    const third = (await service.load('t1')).state!;
    expect([...third.votes.keys()].sort()).toEqual(['dan', 'sue', 'tom']);
    expect([...third.mergedFrom].sort()).toEqual(['d1', 's1']);
  });
});
