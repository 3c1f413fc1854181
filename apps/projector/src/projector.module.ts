import { type DynamicModule, Module } from '@nestjs/common';
import {
  AccessModule,
  AnnotationsProjectionModule,
  ClosenessProjectionModule,
  EventStoreModule,
  HealthController,
  IdeaBacklogModule,
  IdeaBacklogProjectionModule,
  IdeaLoopModule,
  TimelineProjectionModule,
  type RapportConfig,
  RapportConfigModule,
  ObservabilityModule,
  ReadModelsModule,
} from '@rapport/api';

/**
 * Event log in, read models out — and decisions back into the log. The projections
 * (timeline, closeness, ideas) write the read models; two processes of the application
 * layer run beside them and append to the log: identity resolution (`startIdentityResolution`,
 * with the timeline module) and the idea loop (`startIdeaLoop`: the idea intake and the status
 * notifier, which also publishes to `rapport.outbound`). Each runs under its own lease:
 * several replicas may run, one writes at a time, and a standby takes over when the holder
 * dies.
 */
@Module({})
export class ProjectorModule {
  static forRoot(config: RapportConfig): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        RapportConfigModule.forRoot(config),
        ObservabilityModule.forRoot(), // /metrics, /health/live, /health/ready
        EventStoreModule.forRoot(config),
        ReadModelsModule.forRoot(config),
        AccessModule.forRoot(config), // only /health (open), but a new route is denied by default
        TimelineProjectionModule, // timeline + identity resolution (appends to the log)
        ClosenessProjectionModule,
        IdeaBacklogModule,
        IdeaBacklogProjectionModule,
        IdeaLoopModule, // idea intake + notifier (append to the log, publish notifications)
        AnnotationsProjectionModule, // staff notes and labels
      ],
      controllers: [HealthController],
    };
  }
}
