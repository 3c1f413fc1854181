import { identityDecisions, notifierSends } from '@rapport/application';
import { projectionBatches } from '@rapport/read-models';
import { claimedChannel, RapportMetrics } from './rapport-metrics';

describe('RapportMetrics: what the libraries report, in bounded labels', () => {
  let metrics: RapportMetrics;
  beforeEach(() => (metrics = new RapportMetrics()));
  afterEach(() => metrics.onApplicationShutdown());

  const values = async (name: string) =>
    (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];

  it('counts identity decisions by kind, folding unknown types into other', async () => {
    identityDecisions.publish({
      types: [
        'identity.linked.v1',
        'identity.linked.v1',
        'customer.merged.v1',
        'x:ann@example.com',
      ],
    });
    const byKind = Object.fromEntries(
      (await values('rapport_identity_decisions_total')).map((v) => [v.labels.kind, v.value]),
    );
    expect(byKind).toEqual({ 'identity.linked.v1': 2, 'customer.merged.v1': 1, other: 1 });
  });

  it('counts notifier sends and projection batches, and stops listening on shutdown', async () => {
    notifierSends.publish({ sent: 3 });
    projectionBatches.publish({ projection: 'timeline', events: 500, seconds: 0.02 });
    expect((await values('rapport_notifier_sends_total'))[0]?.value).toBe(3);
    expect(
      (await values('rapport_projection_events_total')).find(
        (v) => v.labels.projection === 'timeline',
      )?.value,
    ).toBe(500);
    metrics.onApplicationShutdown();
    notifierSends.publish({ sent: 5 });
    expect((await values('rapport_notifier_sends_total'))[0]?.value).toBe(3);
  });

  it('labels an HTTP event by the channel it claims only when that is a known channel', () => {
    expect(claimedChannel({ data: { channel: 'email' } })).toBe('email');
    expect(claimedChannel({ data: { channel: 'ann@example.com' } })).toBe('unknown');
    expect(claimedChannel({ data: 'email' })).toBe('unknown');
    expect(claimedChannel(null)).toBe('unknown');
  });

  it('counts ingestion outcomes per transport, channel and reason', async () => {
    metrics.observeIngest(
      'kafka',
      [
        { index: 0, status: 'accepted' } as never,
        { index: 1, status: 'duplicate' } as never,
        { index: 2, status: 'rejected', errors: [] } as never,
        { index: 3, status: 'conflict' } as never,
        { index: 4, status: 'accepted' } as never,
      ],
      () => 'chat',
    );
    metrics.refuse('kafka', 'chat', 'undecodable');
    const outcomes = Object.fromEntries(
      (await values('rapport_ingest_touchpoints_total')).map((v) => [v.labels.outcome, v.value]),
    );
    expect(outcomes).toEqual({ accepted: 2, duplicate: 1, refused: 3 });
    const reasons = Object.fromEntries(
      (await values('rapport_ingest_refused_total')).map((v) => [v.labels.reason, v.value]),
    );
    expect(reasons).toEqual({ invalid: 1, conflict: 1, undecodable: 1 });
  });
});
