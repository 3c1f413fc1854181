import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { type NextFunction, type Request, type Response } from 'express';
import { SCRAPE_TOKEN } from '../access/access.guard';
import { type RapportConfig } from '../config/rapport-config';
import { RAPPORT_CONFIG } from '../platform/tokens';
import { instrumentAppends, storeKind } from './instrumented-event-store';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';
import { ProbesController } from './probes.controller';
import { registerProjectionGauges } from './projection-gauges';
import { RapportMetrics } from './rapport-metrics';
import { Readiness, within } from './readiness';
import { ScrapeToken } from './scrape-token';
import { ServiceParts } from './service-parts';
import { ServiceTracing } from './tracing/service-tracing';

/**
 * `RAPPORT_METRICS=off` leaves metrics out altogether (no `/metrics`, nothing counted or
 * timed): for measuring what they cost (`bench:ingest`). On by default.
 */
function metricsSwitch(env: NodeJS.ProcessEnv): boolean {
  const value = env.RAPPORT_METRICS ?? 'on';
  if (value !== 'on' && value !== 'off') {
    throw new Error(`RAPPORT_METRICS must be on or off (it is ${value})`);
  }
  return value === 'on';
}

/** How long a readiness check may wait for the log or the read models. */
const PROBE_TIMEOUT_MS = 2000;

/**
 * Registers the scrape-time gauges and the readiness checks of whatever the service runs;
 * from the moment the service begins to shut down, it is not ready (a load balancer stops
 * sending it requests while it drains).
 */
@Injectable()
export class ObservedService implements OnModuleInit, BeforeApplicationShutdown {
  private shuttingDown = false;

  constructor(
    @Inject(RapportMetrics) private readonly metrics: RapportMetrics | null,
    private readonly readiness: Readiness,
    private readonly parts: ServiceParts,
    @Inject(RAPPORT_CONFIG) private readonly config: RapportConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.countRequests();
  }

  /**
   * HTTP metrics for every request, routed or not: a plain middleware on the HTTP adapter,
   * added while the app is being created (before any route; Nest's own middleware routing
   * would decode the path first and answer a malformed one 400 instead of the router's 404).
   */
  private countRequests(): void {
    const server = this.adapterHost.httpAdapter;
    if (!server || !this.metrics) return;
    const middleware = new HttpMetricsMiddleware(this.metrics);
    server.use((req: Request, res: Response, next: NextFunction) => middleware.use(req, res, next));
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  onModuleInit(): void {
    this.readiness.add({
      name: 'shutdown',
      check: () => {
        if (this.shuttingDown) throw new Error('shutting down');
        return {};
      },
    });
    const { parts, metrics } = this;
    if (metrics) registerProjectionGauges(metrics, parts);
    const store = parts.store;
    if (store) {
      if (metrics) instrumentAppends(store, metrics, storeKind(this.config.eventStoreUrl));
      this.readiness.add({
        name: 'log',
        check: async () => ({
          head: await within(PROBE_TIMEOUT_MS, 'the event log', store.headPosition()),
        }),
      });
    }
    const timeline = parts.timelineReadModel;
    if (timeline) {
      this.readiness.add({
        name: 'readModels',
        check: async () => ({
          timelineCheckpoint: await within(
            PROBE_TIMEOUT_MS,
            'the read models',
            timeline.checkpoint(),
          ),
        }),
      });
    }
    this.readiness.add({
      name: 'projections',
      check: () => {
        const projections = parts.projections();
        const leased = projections.filter((p) => p.role !== undefined);
        const active = leased.filter((p) => p.role === 'active').map((p) => p.name);
        if (leased.length > 0 && active.length === 0) {
          throw new Error(
            `standing by: another projector holds the leases of ${leased.map((p) => p.name).join(', ')}`,
          );
        }
        return { running: projections.length, ...(leased.length > 0 ? { active } : {}) };
      },
    });
  }
}

/**
 * Operations for one service: Prometheus metrics at `/metrics` (for the scraper, ADR 0028),
 * HTTP request metrics for every route, and the Kubernetes probes `/health/live` and
 * `/health/ready` (next to `/health`, which stays as it is).
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    const metrics = metricsSwitch(env);
    const scrapeToken = ScrapeToken.fromEnv(env);
    return {
      module: ObservabilityModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: metrics ? [MetricsController, ProbesController] : [ProbesController],
      providers: [
        // Off: null, which every user of the metrics takes as "count nothing".
        metrics ? RapportMetrics : { provide: RapportMetrics, useValue: null },
        Readiness,
        ServiceParts,
        ObservedService,
        ServiceTracing,
        { provide: SCRAPE_TOKEN, useValue: scrapeToken },
      ],
      exports: [RapportMetrics, Readiness, SCRAPE_TOKEN],
    };
  }
}
