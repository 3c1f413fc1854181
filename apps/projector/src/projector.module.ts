import { type DynamicModule, Module } from '@nestjs/common';
import {
  ClosenessProjectionModule,
  EventStoreModule,
  HealthController,
  IdeaBacklogModule,
  IdeaBacklogProjectionModule,
  IdeaLoopModule,
  TimelineProjectionModule,
  type RapportConfig,
  RapportConfigModule,
  ReadModelsModule,
} from '@rapport/api';

/**
 * Event log in, read models out — and identity decisions back into the log: the timeline
 * module runs identity resolution beside the timeline (each under its own lease). Several
 * replicas may run: a lease in Redis lets one write at a time, and a standby takes over
 * when the holder dies.
 */
@Module({})
export class ProjectorModule {
  static forRoot(config: RapportConfig): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        RapportConfigModule.forRoot(config),
        EventStoreModule.forRoot(config),
        ReadModelsModule.forRoot(config),
        TimelineProjectionModule, // timeline + identity resolution (appends to the log)
        ClosenessProjectionModule,
        IdeaBacklogModule,
        IdeaBacklogProjectionModule,
        IdeaLoopModule,
      ],
      controllers: [HealthController],
    };
  }
}
