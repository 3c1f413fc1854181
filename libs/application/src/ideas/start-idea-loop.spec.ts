import {
  customerIdFor,
  customerStreamId,
  ideaIdForTouchpoint,
  type IngestedEventMetadata,
} from '@rapport/domain';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { openReadModels, type ReadModels, type RunningProjection } from '@rapport/read-models';
import { IdeaService } from './idea-service';
import { MemoryOutboundPublisher } from './outbound-publisher';
import { startIdeaLoop } from './start-idea-loop';

describe('startIdeaLoop (embedded: SQLite in memory, memory read models)', () => {
  let store: EventStore;
  let readModels: ReadModels;
  let running: RunningProjection[];
  let publisher: MemoryOutboundPublisher;

  beforeEach(async () => {
    store = await openEventStore('sqlite::memory:');
    publisher = new MemoryOutboundPublisher();
    readModels = openReadModels('memory');
    running = await startIdeaLoop(readModels.ideas, store, publisher, () => undefined);
  });
  afterEach(async () => {
    await Promise.all(running.map((r) => r.stop()));
    await readModels.close();
    await store.close();
  });
  const caughtUp = async () => {
    const head = await store.headPosition();
    await Promise.all(running.map((r) => r.waitFor(head)));
  };

  it('runs the intake and the notifier, by name: an idea from a touchpoint, its supporter told of a status change', async () => {
    expect(running.map((r) => r.status().name)).toEqual(['idea-intake', 'idea-notifier']);
    const identity = { kind: 'chat' as const, value: 'visitor-ann' };
    const customerId = customerIdFor(identity);
    const eventId = '6a1f0c2e-5b7d-4e9a-8c3f-2d1e0b9a7c65';
    const metadata: IngestedEventMetadata = {
      ce: { id: 'c-1', source: 'tests/chat', time: '2026-03-01T09:00:00Z' },
      occurredAt: '2026-03-01T09:00:00.000Z',
      customerId,
      identityKey: 'chat:visitor-ann',
    };
    await store.append(customerStreamId(customerId), [
      {
        id: eventId,
        type: 'touchpoint.recorded.v1',
        data: {
          channel: 'chat',
          direction: 'inbound',
          identity,
          content: { text: 'an idea' },
          metadata: { 'idea.action': 'submit', 'idea.title': 'Dark mode' },
        },
        metadata,
      },
    ]);
    await caughtUp();
    const ideaId = ideaIdForTouchpoint(eventId);
    const service = new IdeaService(store);
    expect((await service.load(ideaId)).state?.title).toBe('Dark mode');

    await service.changeStatus(ideaId, {
      to: 'under_review',
      staffId: 'lead',
      at: '2026-03-02T00:00:00.000Z',
    });
    await caughtUp();
    expect(publisher.sent.map((n) => [n.customerId, n.channel, n.to])).toEqual([
      [customerId, 'chat', 'under_review'],
    ]);
  });
});
