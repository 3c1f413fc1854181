import {
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type EventStore } from '@rapport/event-store';
import {
  type ProjectionStatus,
  type ReadModels,
  type RunningProjection,
} from '@rapport/read-models';
import { CLOSENESS_PROJECTOR, EVENT_STORE, READ_MODELS } from '../platform/tokens';

/** Holds the running closeness projection: started once the app is up, stopped on shutdown. */
@Injectable()
export class ClosenessProjectionService
  implements RunningProjection, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('closeness');
  private running: RunningProjection | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.running) return;
    this.running = await this.readModels.startClosenessProjection(this.store, (line) =>
      this.logger.log(line),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  status(): ProjectionStatus {
    return this.started.status();
  }

  waitFor(position: number, timeoutMs?: number): Promise<void> {
    return this.started.waitFor(position, timeoutMs);
  }

  async stop(): Promise<void> {
    await this.running?.stop();
    this.running = null;
  }

  private get started(): RunningProjection {
    if (!this.running) throw new Error('the closeness projection is not running');
    return this.running;
  }
}

/** The projector's closeness part: follow the log into the closeness read model. */
@Module({
  providers: [
    ClosenessProjectionService,
    { provide: CLOSENESS_PROJECTOR, useExisting: ClosenessProjectionService },
  ],
  exports: [CLOSENESS_PROJECTOR],
})
export class ClosenessProjectionModule {}
