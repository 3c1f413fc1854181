import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import {
  customerIdFor,
  customerMerged,
  IDENTITY_GRAPH_STREAM,
  identityLinked,
  ideaIdForTouchpoint,
  logEventIdFor,
  normalizeIdentity,
  type ChannelIdentity,
} from '@rapport/domain';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { TouchpointIngestion } from '../ingestion';
import { ProjectionRunner } from '@rapport/read-models';
import { ideaIntakeProjection } from './idea-intake-projection';
import { IdeaService } from './idea-service';
import { IdeaStatusNotifier, NOTIFIER_CHECKPOINT_STREAM } from './idea-status-notifier';
import { MemoryOutboundPublisher } from './outbound-publisher';
import { identityGraphDirectory } from './customer-resolver';
import { logSupporterContacts } from './supporter-contacts';

let seq = 0;
function touchpoint(channel: string, identity: ChannelIdentity, metadata?: Record<string, string>) {
  seq += 1;
  return {
    specversion: '1.0',
    id: `m-${seq}`,
    source: `tests/${channel}`,
    type: 'touchpoint.recorded.v1',
    time: new Date(Date.UTC(2026, 2, 1, 9, 0, seq)).toISOString(),
    data: {
      channel,
      direction: 'inbound',
      identity,
      content: { text: 'hi' },
      ...(metadata ? { metadata } : {}),
    },
  };
}
const idOf = (identity: ChannelIdentity) => {
  const n = normalizeIdentity(identity, 'identity');
  if (!n.ok) throw new Error('bad identity');
  return customerIdFor(n.value);
};

describe('closing the loop (embedded: SQLite in memory, in-memory outbound)', () => {
  let store: EventStore;
  let ingestion: TouchpointIngestion;
  let service: IdeaService;
  const runners: ProjectionRunner[] = [];
  beforeEach(async () => {
    store = await openEventStore('sqlite::memory:');
    ingestion = new TouchpointIngestion(store, { now: () => new Date('2026-03-02T00:00:00Z') });
    service = new IdeaService(store);
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await store.close();
  });
  const follow = async (target: ConstructorParameters<typeof ProjectionRunner>[1]) => {
    const runner = new ProjectionRunner(store, target);
    runners.push(runner);
    await runner.start();
    await runner.waitFor(await store.headPosition());
    return runner;
  };

  it('idea by chat, votes by e-mail and social, status change → one notification per supporter on their main channel, once', async () => {
    const ann: ChannelIdentity = { kind: 'chat', value: 'visitor-ann' };
    const bob: ChannelIdentity = { kind: 'email', value: 'bob@example.com' };
    const cy: ChannelIdentity = { kind: 'social', value: 'cy', network: 'instagram' };
    const submit = touchpoint('chat', ann, { 'idea.action': 'submit', 'idea.title': 'Dark mode' });
    const ideaId = ideaIdForTouchpoint(logEventIdFor(submit.source, submit.id));
    const results = await ingestion.ingest(
      [
        submit,
        touchpoint('email', bob),
        touchpoint('email', bob, { 'idea.action': 'vote', 'idea.id': ideaId }),
        touchpoint('social', cy, { 'idea.action': 'vote', 'idea.id': ideaId }),
        // a redelivery of the same vote is one vote
      ],
      UNRESTRICTED_SCOPE,
    );
    expect(results.every((r) => r.status === 'accepted')).toBe(true);
    await ingestion.ingest(
      [touchpoint('social', cy, { 'idea.action': 'vote', 'idea.id': ideaId })],
      UNRESTRICTED_SCOPE,
    );

    await follow(ideaIntakeProjection(service, store));
    const idea = (await service.load(ideaId)).state!;
    expect([...idea.votes.keys()].sort()).toEqual([idOf(ann), idOf(bob), idOf(cy)].sort());

    await service.changeStatus(ideaId, {
      to: 'under_review',
      staffId: 'lead',
      at: '2026-03-03T00:00:00.000Z',
    });
    const publisher = new MemoryOutboundPublisher();
    const contacts = logSupporterContacts(store);
    await follow(new IdeaStatusNotifier({ store, publisher, contacts }));
    expect(publisher.sent.map((n) => [n.customerId, n.channel, n.to]).sort()).toEqual(
      [
        [idOf(ann), 'chat', 'under_review'],
        [idOf(bob), 'email', 'under_review'],
        [idOf(cy), 'social', 'under_review'],
      ].sort(),
    );
    // Recorded on each supporter's timeline as an outbound touchpoint.
    const annStream = await store.readStream(`customer-${idOf(ann)}`);
    expect(annStream.at(-1)).toMatchObject({
      id: publisher.sent.find((n) => n.customerId === idOf(ann))!.id,
      type: 'touchpoint.recorded.v1',
      data: { direction: 'outbound', channel: 'chat' },
    });

    // A restarted notifier (or any rebuild) starts from its checkpoint in the log: nothing again.
    const again = new MemoryOutboundPublisher();
    await follow(new IdeaStatusNotifier({ store, publisher: again, contacts }));
    expect(again.sent).toEqual([]);
    // The intake, replayed from the very start (a checkpoint stream of its own), decides nothing again.
    const head = await store.headPosition();
    await follow(ideaIntakeProjection(service, store, () => undefined, 'ideas-intake-replay'));
    const after = await store.readAll({ after: head });
    expect(after.map((e) => e.streamId)).toEqual(['ideas-intake-replay']);
  });

  it('notifies a person once although they voted under two merged customer ids; skips a notification already recorded', async () => {
    const a1: ChannelIdentity = { kind: 'email', value: 'dan@example.com' };
    const a2: ChannelIdentity = { kind: 'social', value: 'dan', network: 'x' };
    await ingestion.ingest([touchpoint('email', a1), touchpoint('social', a2)], UNRESTRICTED_SCOPE);
    await service.submit({
      ideaId: 'i1',
      title: 'Gift wrap',
      customerId: idOf(a1),
      origin: { kind: 'staff', staffId: 's' },
      at: '2026-03-01T00:00:00.000Z',
    });
    await service.vote('i1', {
      customerId: idOf(a2),
      origin: { kind: 'staff', staffId: 's' },
      at: '2026-03-01T00:00:00.000Z',
    });
    await service.changeStatus('i1', {
      to: 'declined',
      reason: 'not this year',
      staffId: 's',
      at: '2026-03-02T00:00:00.000Z',
    });
    const resolveCustomer = async (id: string) => (id === idOf(a2) ? idOf(a1) : id);
    const publisher = new MemoryOutboundPublisher();
    const notifier = new IdeaStatusNotifier({
      store,
      publisher,
      contacts: logSupporterContacts(store),
      resolveCustomer,
    });
    await follow(notifier);
    expect(publisher.sent).toHaveLength(1);
    expect(publisher.sent[0]).toMatchObject({
      customerId: idOf(a1),
      to: 'declined',
      reason: 'not this year',
    });

    // Lose the checkpoint (as if the crash came before it was written): the recorded one is not sent again.
    const events = await store.readStream(NOTIFIER_CHECKPOINT_STREAM);
    expect(events).toHaveLength(1);
    const fresh = new MemoryOutboundPublisher();
    const fromStart = new IdeaStatusNotifier({
      store,
      publisher: fresh,
      contacts: logSupporterContacts(store),
      resolveCustomer,
    });
    jest.spyOn(fromStart, 'checkpoint').mockResolvedValue(0);
    const status = (await store.readAll()).find((e) => e.type === 'idea.status-changed.v1')!;
    await fromStart.applyBatch([status], { after: 0, upTo: status.position });
    expect(fresh.sent).toEqual([]);
  });

  it('answers a merged person on the channel they use most across all their ids', async () => {
    const mail: ChannelIdentity = { kind: 'email', value: 'gus@example.com' };
    const phone: ChannelIdentity = { kind: 'phone', value: '+4930555000' };
    await ingestion.ingest(
      [touchpoint('email', mail), touchpoint('phone', phone), touchpoint('phone', phone)],
      UNRESTRICTED_SCOPE,
    );
    const by = { kind: 'staff' as const, staffId: 'lead' };
    const at = '2026-03-01T00:00:00.000Z';
    await store.append(IDENTITY_GRAPH_STREAM, [
      {
        id: '00000000-0000-4000-8000-0000000000a1',
        ...identityLinked({ identity: mail, customerId: idOf(mail), by, at, reason: 'first-seen' }),
      },
      {
        id: '00000000-0000-4000-8000-0000000000a2',
        ...identityLinked({
          identity: phone,
          customerId: idOf(phone),
          by,
          at,
          reason: 'first-seen',
        }),
      },
      {
        id: '00000000-0000-4000-8000-0000000000a3',
        ...customerMerged({
          survivorId: idOf(mail),
          mergedId: idOf(phone),
          evidence: [],
          by,
          at,
          reason: 'staff-decision',
        }),
      },
    ]);
    // Only the e-mail id voted; the phone id, merged into it, is where the person talks most.
    await service.submit({
      ideaId: 'g1',
      title: 'Call-back slots',
      customerId: idOf(mail),
      origin: by,
      at,
    });
    await service.changeStatus('g1', {
      to: 'under_review',
      staffId: 's',
      at: '2026-03-02T00:00:00.000Z',
    });
    const publisher = new MemoryOutboundPublisher();
    await follow(
      new IdeaStatusNotifier({
        store,
        publisher,
        contacts: logSupporterContacts(store),
        customerDirectory: identityGraphDirectory(store),
      }),
    );
    expect(publisher.sent.map((n) => [n.customerId, n.channel])).toEqual([[idOf(mail), 'phone']]);
  });
});
