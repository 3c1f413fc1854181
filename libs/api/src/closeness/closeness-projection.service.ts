import { Inject, Injectable, Module } from '@nestjs/common';
import { type EventStore } from '@rapport/event-store';
import { type ReadModels, type RunningProjection } from '@rapport/read-models';
import { ProjectionHost } from '../platform/projection-host';
import { CLOSENESS_PROJECTOR, EVENT_STORE, READ_MODELS } from '../platform/tokens';

/** Holds the running closeness projection: started once the app is up, stopped on shutdown. */
@Injectable()
export class ClosenessProjectionService extends ProjectionHost {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
  ) {
    super('closeness');
  }

  protected start(log: (line: string) => void): Promise<RunningProjection> {
    return this.readModels.startClosenessProjection(this.store, log);
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
