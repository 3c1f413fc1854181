import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { type EventStore } from '@rapport/event-store';
import {
  projectionLags,
  projectionNamed,
  type ProjectionVersionState,
  type ReadModels,
  type RebuildableProjection,
  type RebuildOutcome,
  type RebuildProgress,
  type RebuildRun,
  type RunningProjection,
} from '@rapport/read-models';
import { IdentityGraphLog } from '@rapport/application';
import { EVENT_STORE, READ_MODELS, TIMELINE_PROJECTOR } from '../platform/tokens';

/** One projection as operators see it. */
export interface ProjectionOverview {
  readonly name: string;
  /** The live version of its read model (null: it keeps none — identity resolution). */
  readonly version: number | null;
  readonly position: number;
  readonly lagEvents: number;
  readonly lagSeconds: number;
  readonly rebuild:
    (ProjectionVersionState['rebuild'] & { phase?: RebuildProgress['phase'] }) | null;
  /**
   * Identity resolution only: `runner` (this process runs it) or `log` (the last touchpoint
   * a decision names: touchpoints after it may have needed none, so the lag is at most this).
   */
  readonly positionFrom?: 'runner' | 'log';
  /** The last rebuild this process ran, once it ended. */
  readonly lastRebuild?: RebuildOutcome | { readonly status: 'failed'; readonly error: string };
}

/** Identity resolution keeps no read model: its decisions are in the log. */
const IDENTITY_RESOLUTION = 'identity-resolution';

/**
 * The projections of this process's read models (timeline, closeness, idea backlog), their
 * versions, positions and lag, and their blue/green rebuilds started over HTTP: each runs
 * in this process in the background (its progress is in the read-model store, so any
 * replica reports it) and is stopped — to be resumed — when the process shuts down.
 */
@Injectable()
export class ProjectionAdminService implements OnApplicationShutdown {
  private readonly logger = new Logger('projection-admin');
  private readonly rebuilds = new Map<
    string,
    { run: RebuildRun; stop: AbortController; progress?: RebuildProgress }
  >();
  private readonly ended = new Map<string, NonNullable<ProjectionOverview['lastRebuild']>>();
  private readonly graphLog: IdentityGraphLog;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    private readonly modules: ModuleRef,
  ) {
    this.graphLog = new IdentityGraphLog(store);
  }

  get projections(): readonly RebuildableProjection[] {
    return this.readModels.projections;
  }

  async list(): Promise<{ head: number; projections: ProjectionOverview[] }> {
    const head = await this.store.headPosition();
    const states = await Promise.all(this.projections.map((p) => p.state()));
    const positions = new Map(states.map((s) => [s.name, s.checkpoint]));
    const resolution = await this.identityResolution();
    positions.set(IDENTITY_RESOLUTION, resolution.position);
    const lags = await projectionLags(this.store, positions, head);
    const projections = lags.map((lag): ProjectionOverview => {
      const state = states.find((s) => s.name === lag.name);
      const running = this.rebuilds.get(lag.name);
      const ended = this.ended.get(lag.name);
      return {
        ...lag,
        version: state ? state.version : null,
        rebuild: state?.rebuild
          ? { ...state.rebuild, ...(running?.progress ? { phase: running.progress.phase } : {}) }
          : null,
        ...(ended ? { lastRebuild: ended } : {}),
        ...(lag.name === IDENTITY_RESOLUTION ? { positionFrom: resolution.source } : {}),
      };
    });
    return { head, projections };
  }

  async one(name: string): Promise<ProjectionOverview> {
    if (name !== IDENTITY_RESOLUTION) projectionNamed(this.projections, name);
    const { projections } = await this.list();
    return projections.find((p) => p.name === name) as ProjectionOverview;
  }

  /** Starts a rebuild in the background; `UnknownProjectionError`, `RebuildAlreadyRunningError`. */
  async startRebuild(name: string): Promise<RebuildRun> {
    const projection = projectionNamed(this.projections, name);
    const stop = new AbortController();
    const entry: { run?: RebuildRun; stop: AbortController; progress?: RebuildProgress } = { stop };
    const run = await projection.rebuild(this.store, {
      signal: stop.signal,
      log: (line) => this.logger.log(line),
      onProgress: (progress) => (entry.progress = progress),
    });
    entry.run = run;
    this.rebuilds.set(name, entry as { run: RebuildRun; stop: AbortController });
    this.ended.delete(name);
    run.done.then(
      (outcome) => this.ended.set(name, outcome),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.logger.error(`rebuild of ${name} failed: ${message}`);
        this.ended.set(name, { status: 'failed', error: message });
      },
    );
    void run.done.catch(() => undefined).finally(() => this.rebuilds.delete(name));
    return run;
  }

  /** The rebuilds this process runs, with how far each has come (for `/metrics`). */
  rebuildsUnderWay(): { readonly name: string; readonly progress?: RebuildProgress }[] {
    return [...this.rebuilds].map(([name, { progress }]) => ({
      name,
      ...(progress ? { progress } : {}),
    }));
  }

  async onApplicationShutdown(): Promise<void> {
    const running = [...this.rebuilds.values()];
    for (const { stop } of running) stop.abort();
    await Promise.all(running.map(({ run }) => run.done.catch(() => undefined)));
  }

  /**
   * Where this process runs identity resolution (beside the timeline projection): the
   * resolver's position. Elsewhere (the query API) its checkpoint in the log: the last
   * touchpoint a decision names — touchpoints after it may have needed none, so this lag
   * is an upper bound.
   */
  private async identityResolution(): Promise<{ position: number; source: 'runner' | 'log' }> {
    const resolver = this.timelineProjector()?.companions?.find(
      (c) => safeName(c) === IDENTITY_RESOLUTION,
    );
    if (resolver) return { position: resolver.status().position, source: 'runner' };
    await this.graphLog.refresh();
    return { position: this.graphLog.resolvedUpTo, source: 'log' };
  }

  private timelineProjector(): RunningProjection | undefined {
    try {
      return this.modules.get<RunningProjection>(TIMELINE_PROJECTOR, { strict: false });
    } catch {
      return undefined; // this process does not project (the query API)
    }
  }
}

function safeName(projection: RunningProjection): string | undefined {
  try {
    return projection.status().name;
  } catch {
    return undefined;
  }
}
