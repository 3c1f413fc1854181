import { projectionLags } from '@rapport/read-models';
import { Gauge } from 'prom-client';
import { type RapportMetrics } from './rapport-metrics';
import { within } from './readiness';
import { type ObservedProjection, type ServiceParts } from './service-parts';

/** How long a scrape waits for the log (Prometheus' own scrape timeout is 10 s by default). */
const SCRAPE_WAIT_MS = 4000;

interface Snapshot {
  readonly head?: number;
  readonly projections: readonly (ObservedProjection & {
    readonly lagEvents?: number;
    readonly lagSeconds?: number;
  })[];
}

/**
 * Scrape-time gauges of the log and the projections: the head position, and per projection
 * its position, lag in events and in seconds (commit time of the head minus that of the
 * first event not applied), and whether this process is the active writer. A standby
 * reports only `rapport_projection_active 0`: its position is the last it wrote, not the
 * model's, and would look like lag.
 */
export function registerProjectionGauges(metrics: RapportMetrics, parts: ServiceParts): void {
  // One snapshot serves every gauge of a scrape (prom-client collects them concurrently).
  let cached: { snapshot: Promise<Snapshot>; settledAt?: number } | null = null;
  const snapshot = (): Promise<Snapshot> => {
    const fresh = cached && (cached.settledAt === undefined || Date.now() - cached.settledAt < 100);
    if (cached && fresh) return cached.snapshot;
    const current: { snapshot: Promise<Snapshot>; settledAt?: number } = { snapshot: take(parts) };
    void current.snapshot.finally(() => (current.settledAt = Date.now()));
    cached = current;
    return current.snapshot;
  };
  const gauge = (name: string, help: string, fill: (g: Gauge<'projection'>, s: Snapshot) => void) =>
    new Gauge({
      name,
      help,
      labelNames: ['projection'] as const,
      registers: [metrics.registry],
      async collect() {
        this.reset();
        fill(this, await snapshot());
      },
    });

  new Gauge({
    name: 'rapport_event_store_head_position',
    help: 'Position of the last event in the log (the last known one while the log is unreachable)',
    registers: [metrics.registry],
    async collect() {
      const { head } = await snapshot();
      if (head !== undefined) this.set(head);
    },
  });
  new Gauge({
    name: 'rapport_event_store_reachable',
    help: 'Whether the log answered this scrape (1) or not (0)',
    registers: [metrics.registry],
    async collect() {
      const { head } = await snapshot();
      this.set(head === undefined ? 0 : 1);
    },
  });
  new Gauge({
    name: 'rapport_projection_rebuild_progress_ratio',
    help: 'How far a blue/green rebuild this process runs has come: its position over the log head (0 to 1)',
    labelNames: ['projection'] as const,
    registers: [metrics.registry],
    collect() {
      this.reset();
      for (const r of parts.rebuilds())
        this.set({ projection: r.name }, r.head > 0 ? Math.min(1, r.position / r.head) : 0);
    },
  });
  gauge(
    'rapport_projection_active',
    'Whether this process writes the projection (1) or stands by (0)',
    (g, s) => {
      for (const p of s.projections) g.set({ projection: p.name }, p.role === 'standby' ? 0 : 1);
    },
  );
  gauge('rapport_projection_position', 'Log position the projection has applied up to', (g, s) => {
    for (const p of s.projections)
      if (p.role !== 'standby') g.set({ projection: p.name }, p.position);
  });
  gauge(
    'rapport_projection_lag_events',
    'Log events the projection has not applied yet',
    (g, s) => {
      for (const p of s.projections)
        if (p.lagEvents !== undefined) g.set({ projection: p.name }, p.lagEvents);
    },
  );
  gauge(
    'rapport_projection_lag_seconds',
    'Commit time of the log head minus that of the first event the projection has not applied; 0 when caught up',
    (g, s) => {
      for (const p of s.projections)
        if (p.lagSeconds !== undefined) g.set({ projection: p.name }, p.lagSeconds);
    },
  );
}

async function take(parts: ServiceParts): Promise<Snapshot> {
  const store = parts.store;
  const projections = parts.projections();
  if (!store) return { projections };
  let head: number;
  try {
    head = await within(SCRAPE_WAIT_MS, 'the event log', store.headPosition());
  } catch {
    // The log is unreachable: no head, no lag (readiness says why); the rest still scrapes.
    return { projections };
  }
  try {
    const active = projections.filter((p) => p.role !== 'standby');
    const lags = await within(
      SCRAPE_WAIT_MS,
      'the event log',
      projectionLags(store, new Map(active.map((p) => [p.name, p.position])), head),
    );
    const byName = new Map(lags.map((l) => [l.name, l]));
    return {
      head,
      projections: projections.map((p) => {
        const lag = byName.get(p.name);
        return lag ? { ...p, lagEvents: lag.lagEvents, lagSeconds: lag.lagSeconds } : p;
      }),
    };
  } catch {
    // The lag needs a few reads of the log; without them, the head alone.
    return { head, projections };
  }
}
