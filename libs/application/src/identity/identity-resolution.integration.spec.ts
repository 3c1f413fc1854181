import {
  IDENTITY_GRAPH_STREAM,
  IdentityGraphEventTypes,
  UNRESTRICTED_SCOPE,
  type ChannelIdentity,
} from '@rapport/domain';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { TouchpointIngestion } from '../ingestion';
import { IdentityCommands } from './identity-commands';
import { IdentityGraphLog } from './identity-graph-log';
import { IdentityResolution } from './identity-resolution';

const bob = { kind: 'email', value: 'bob@example.com' } as const;
const visitor = { kind: 'chat', value: 'v-2' } as const;

describe('identity resolution', () => {
  let store: EventStore;
  let ingestion: TouchpointIngestion;
  let touchpoints = 0;
  // As the projection runner drives resolution: the checkpoint read once, then batch after batch.
  let resolvedUpTo: number | undefined;
  beforeEach(async () => {
    store = await openEventStore('sqlite::memory:');
    ingestion = new TouchpointIngestion(store, { now: () => new Date('2026-05-01T00:00:00Z') });
    resolvedUpTo = undefined;
  });
  afterEach(() => store.close());

  const touch = async (identity: ChannelIdentity, ...identities: ChannelIdentity[]) => {
    const [result] = await ingestion.ingest(
      [
        {
          specversion: '1.0',
          id: `tp-${++touchpoints}`,
          source: 'adapters/test',
          type: 'touchpoint.recorded.v1',
          time: '2026-03-01T10:00:00Z',
          data: { channel: 'chat', direction: 'inbound', identity, identities },
        },
      ],
      UNRESTRICTED_SCOPE,
    );
    if (result.status !== 'accepted') throw new Error(result.status);
  };
  const resolveAll = async (resolution: IdentityResolution) => {
    const after = (resolvedUpTo ??= await resolution.checkpoint());
    const events = await store.readAll({ after });
    if (events.length === 0) return;
    resolvedUpTo = events[events.length - 1].position;
    await resolution.applyBatch(events, { after, upTo: resolvedUpTo });
  };

  it('decides on staff decisions another process appended, even when it appends nothing itself', async () => {
    const resolution = new IdentityResolution(new IdentityGraphLog(store));
    await touch({ ...bob, verified: false }, { ...visitor, verified: false });
    await resolveAll(resolution);
    const [linked] = await store.readStream(IDENTITY_GRAPH_STREAM);
    const customer = (linked.data as { customerId: string }).customerId;

    // Staff (another process: its own view of the graph) take the e-mail from the visitor's customer.
    const unlinked = await new IdentityCommands(new IdentityGraphLog(store)).unlink(
      customer,
      bob,
      { kind: 'staff', staffId: 'agent-7' },
      '2026-04-01T00:00:00.000Z',
    );
    expect(unlinked.ok).toBe(true);

    // On a stale graph both identities would still be one customer's: nothing to decide.
    await touch({ ...visitor, verified: false }, { ...bob, verified: true });
    await resolveAll(resolution);
    const decisions = await store.readStream(IDENTITY_GRAPH_STREAM);
    expect(decisions.map((d) => d.type)).toEqual([
      IdentityGraphEventTypes.identityLinked,
      IdentityGraphEventTypes.identityLinked,
      IdentityGraphEventTypes.identityUnlinked,
      IdentityGraphEventTypes.customerMerged,
    ]);
  });
});
