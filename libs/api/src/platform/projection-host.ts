import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type ProjectionStatus, type RunningProjection } from '@rapport/read-models';

/**
 * Holds one running projection in a Nest app: started once the app is up (so the HTTP
 * server and the other modules are ready), stopped on shutdown. A subclass says how to
 * start it; the rest — status, read-your-writes waiting, stopping — is the same for all.
 */
export abstract class ProjectionHost
  implements RunningProjection, OnApplicationBootstrap, OnApplicationShutdown
{
  protected readonly logger: Logger;
  private running: RunningProjection | null = null;

  protected constructor(private readonly projectionName: string) {
    this.logger = new Logger(projectionName);
  }

  /** Starts following the log; resolves once the projection runs. */
  protected abstract start(log: (line: string) => void): Promise<RunningProjection>;

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
