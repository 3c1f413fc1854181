import { EMPTY_IDENTITY_GRAPH, evolve, identityLinked } from '@rapport/domain';
import { WrittenGraph } from './written-graph';

const linked = (value: string, customerId: string) =>
  identityLinked({
    identity: { kind: 'email', value },
    customerId,
    by: { kind: 'adapter', source: 'test' },
    at: '2026-03-01T09:00:00.000Z',
    reason: 'first-seen',
  });

describe('WrittenGraph', () => {
  const part = evolve(EMPTY_IDENTITY_GRAPH, linked('ann@example.com', 'c-a'));

  it('answers only for a model it saw empty, while batches follow each other', async () => {
    const graph = new WrittenGraph();
    expect(graph.recordsFor(0)).toBeNull(); // never told the model was empty
    graph.startEmpty();
    const empty = graph.recordsFor(0);
    expect(await empty?.customers(['c-a'])).toEqual([undefined]);
    graph.folding(part, 5);
    const records = graph.recordsFor(5);
    expect((await records?.customers(['c-a']))?.[0]?.ownIdentities).toEqual([
      'email:ann@example.com',
    ]);
    expect((await records?.identities(['email:ann@example.com']))?.[0]?.homeCustomerId).toBe('c-a');
    expect(await records?.eventCount()).toBe(1);
    graph.moved(5, 9); // a batch without identity events
    expect(graph.recordsFor(9)).not.toBeNull();
    // A batch from elsewhere (another writer moved the checkpoint): forgotten for good.
    expect(graph.recordsFor(12)).toBeNull();
    expect(graph.recordsFor(9)).toBeNull();
  });

  it('forgets everything on a failed write, and when the graph outgrows its bound', () => {
    const graph = new WrittenGraph(10);
    graph.startEmpty();
    graph.folding(part, 5);
    graph.forget();
    expect(graph.recordsFor(5)).toBeNull();
    const small = new WrittenGraph(1); // a customer and an identity: two records
    small.startEmpty();
    small.folding(part, 5);
    expect(small.recordsFor(5)).toBeNull();
  });
});
