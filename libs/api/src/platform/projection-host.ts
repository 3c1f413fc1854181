import {
  type InjectionToken,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { type ProjectionStatus, type RunningProjection } from '@rapport/read-models';

type StartProjection = (log: (line: string) => void) => Promise<RunningProjection>;

/**
 * The provider of `token`: one running projection, started once the app is up (so the
 * HTTP server and the other modules are ready) and stopped on shutdown. `start` gets the
 * injected `inject` tokens and says how to start it.
 */
export function hostedProjection<D extends unknown[]>(
  token: InjectionToken,
  name: string,
  start: (...deps: D) => StartProjection,
  inject: InjectionToken[],
): Provider {
  return {
    provide: token,
    useFactory: (...deps: D) => new ProjectionHost(name, start(...deps)),
    inject,
  };
}

/**
 * A resource opened by `open` (an event store, read models) under `token`, and closed
 * when the app shuts down.
 */
export function closedOnShutdown<T extends { close(): Promise<void> }>(
  token: InjectionToken,
  open: () => T | Promise<T>,
): Provider[] {
  return [
    { provide: token, useFactory: open },
    {
      provide: Symbol(`close ${String(token)}`),
      useFactory: (resource: T): OnApplicationShutdown => ({
        onApplicationShutdown: () => resource.close(),
      }),
      inject: [token],
    },
  ];
}

/** One running projection in a Nest app: status, read-your-writes waiting, stopping. */
export class ProjectionHost
  implements RunningProjection, OnApplicationBootstrap, OnApplicationShutdown
{
  protected readonly logger: Logger;
  private running: RunningProjection | null = null;

  constructor(
    private readonly projectionName: string,
    private readonly start: StartProjection,
  ) {
    this.logger = new Logger(projectionName);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.running ??= await this.start((line) => this.logger.log(line));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  status(): ProjectionStatus {
    return this.started.status();
  }

  /** Followers started with it (identity resolution beside the timeline). */
  get companions(): readonly RunningProjection[] | undefined {
    return this.running?.companions;
  }

  waitFor(position: number, timeoutMs?: number): Promise<void> {
    return this.started.waitFor(position, timeoutMs);
  }

  async stop(): Promise<void> {
    await this.running?.stop();
    this.running = null;
  }

  private get started(): RunningProjection {
    if (!this.running) throw new Error(`the ${this.projectionName} projection is not running`);
    return this.running;
  }
}
