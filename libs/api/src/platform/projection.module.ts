import { Inject, Injectable, Module } from '@nestjs/common';
import { type EventStore } from '@rapport/event-store';
import { type ReadModels, type RunningProjection } from '@rapport/read-models';
import { ProjectionHost } from './projection-host';
import { EVENT_STORE, READ_MODELS, TIMELINE_PROJECTOR } from './tokens';

/** Holds the running timeline projection: started once the app is up, stopped on shutdown. */
@Injectable()
export class TimelineProjectionService extends ProjectionHost {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
  ) {
    super('timeline');
  }

  protected start(log: (line: string) => void): Promise<RunningProjection> {
    return this.readModels.startTimelineProjection(this.store, log);
  }
}

/** The projector's part: follow the log into the read models. */
@Module({
  providers: [
    TimelineProjectionService,
    { provide: TIMELINE_PROJECTOR, useExisting: TimelineProjectionService },
  ],
  exports: [TIMELINE_PROJECTOR],
})
export class ProjectionModule {}
