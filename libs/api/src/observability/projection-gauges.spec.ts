import { type EventStore, type RecordedEvent } from '@rapport/event-store';
import { registerProjectionGauges } from './projection-gauges';
import { RapportMetrics } from './rapport-metrics';
import { type ObservedProjection, type ServiceParts } from './service-parts';

/** A log of `head` events, one a second from 10:00:00. */
function logOf(head: number, reachable: () => boolean): EventStore {
  const at = (position: number): RecordedEvent => ({
    id: `e${position}`,
    streamId: 's',
    revision: position - 1,
    position,
    type: 't',
    data: {},
    metadata: {},
    recordedAt: new Date(Date.UTC(2026, 11, 6, 10, 0, position)).toISOString(),
  });
  return {
    headPosition: async () => {
      if (!reachable()) throw new Error('connection refused');
      return head;
    },
    readAll: async ({ after = 0, maxCount = 1 } = {}) =>
      Array.from({ length: Math.max(0, Math.min(maxCount, head - after)) }, (_, i) =>
        at(after + 1 + i),
      ),
  } as EventStore;
}

describe('projection gauges', () => {
  let metrics: RapportMetrics;
  let reachable = true;
  let projections: ObservedProjection[] = [];
  let rebuilds: { name: string; position: number; head: number }[] = [];

  beforeEach(() => {
    metrics = new RapportMetrics();
    reachable = true;
    const parts = {
      store: logOf(100, () => reachable),
      projections: () => projections,
      rebuilds: () => rebuilds,
    } as unknown as ServiceParts;
    registerProjectionGauges(metrics, parts);
  });
  afterEach(() => metrics.onApplicationShutdown());

  const values = async (name: string) => {
    const metric = await metrics.registry.getSingleMetric(name)?.get();
    return Object.fromEntries(
      (metric?.values ?? []).map((v) => [String(v.labels.projection ?? ''), v.value]),
    );
  };
  const status = (name: string, position: number, role?: 'active' | 'standby') => ({
    name,
    position,
    caughtUp: true,
    resumes: 0,
    ...(role ? { role } : {}),
  });

  it('reports position and lag in events and seconds of what this process writes', async () => {
    projections = [status('timeline', 100, 'active'), status('closeness', 40, 'active')];
    expect(await values('rapport_event_store_head_position')).toEqual({ '': 100 });
    expect(await values('rapport_projection_position')).toEqual({ timeline: 100, closeness: 40 });
    expect(await values('rapport_projection_lag_events')).toEqual({ timeline: 0, closeness: 60 });
    // Head committed at 10:01:40, the first event closeness lacks (41) at 10:00:41.
    expect(await values('rapport_projection_lag_seconds')).toEqual({ timeline: 0, closeness: 59 });
    expect(await values('rapport_projection_active')).toEqual({ timeline: 1, closeness: 1 });
  });

  it('reports a standby as inactive only: its stale position is no lag', async () => {
    projections = [status('timeline', 3, 'standby'), status('ideas', 100)];
    expect(await values('rapport_projection_active')).toEqual({ timeline: 0, ideas: 1 });
    expect(await values('rapport_projection_position')).toEqual({ ideas: 100 });
    expect(await values('rapport_projection_lag_events')).toEqual({ ideas: 0 });
    expect(await values('rapport_projection_lag_seconds')).toEqual({ ideas: 0 });
  });

  it('scrapes without the log when it is unreachable: no head, no lag, the rest still there', async () => {
    projections = [status('timeline', 50, 'active')];
    expect(await metrics.registry.metrics()).toMatch(/^rapport_event_store_reachable 1$/m);
    await new Promise((resolve) => setTimeout(resolve, 150)); // the next scrape
    reachable = false;
    expect(await values('rapport_event_store_reachable')).toEqual({ '': 0 });
    expect(await values('rapport_event_store_head_position')).toEqual({ '': 100 }); // last known
    expect(await values('rapport_projection_lag_events')).toEqual({});
    expect(await values('rapport_projection_active')).toEqual({ timeline: 1 });
    expect(await metrics.registry.metrics()).toMatch(/^rapport_projection_position\{/m);
  });

  it('answers a scrape within its wait when the log hangs', async () => {
    const hanging = new RapportMetrics();
    registerProjectionGauges(hanging, {
      store: { headPosition: () => new Promise<number>(() => undefined) } as EventStore,
      projections: () => [status('timeline', 5, 'active')],
      rebuilds: () => [],
    } as unknown as ServiceParts);
    const started = Date.now();
    const text = await hanging.registry.metrics();
    expect(Date.now() - started).toBeLessThan(8000); // the 4 s wait, not forever
    expect(text).toMatch(/^rapport_event_store_reachable 0$/m);
    expect(text).toMatch(/^rapport_projection_active\{projection="timeline"\} 1$/m);
    hanging.onApplicationShutdown();
  });

  it('reports how far each rebuild under way has come', async () => {
    rebuilds = [
      { name: 'timeline', position: 25, head: 100 },
      { name: 'closeness', position: 0, head: 0 },
    ];
    expect(await values('rapport_projection_rebuild_progress_ratio')).toEqual({
      timeline: 0.25,
      closeness: 0,
    });
    rebuilds = [];
    expect(await values('rapport_projection_rebuild_progress_ratio')).toEqual({});
  });
});
