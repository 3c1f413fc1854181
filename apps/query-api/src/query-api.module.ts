import { type DynamicModule, Module } from '@nestjs/common';
import {
  AccessAdminHttpModule,
  AccessModule,
  AnnotationQueriesHttpModule,
  LiveHttpModule,
  ClosenessHttpModule,
  EventStoreModule,
  HealthController,
  IdeaBacklogModule,
  IdeaQueriesHttpModule,
  ProjectionAdminModule,
  type RapportConfig,
  RapportConfigModule,
  ObservabilityModule,
  ReadModelsModule,
  TimelineHttpModule,
} from '@rapport/api';

/** What support staff query (timelines, customers, from the read models), and the operators' projection API. */
@Module({})
export class QueryApiModule {
  static forRoot(config: RapportConfig): DynamicModule {
    return {
      module: QueryApiModule,
      imports: [
        RapportConfigModule.forRoot(config),
        ObservabilityModule.forRoot(), // /metrics, /health/live, /health/ready
        ReadModelsModule.forRoot(config),
        AccessModule.forRoot(config),
        AccessAdminHttpModule,
        TimelineHttpModule,
        ClosenessHttpModule,
        IdeaBacklogModule,
        IdeaQueriesHttpModule,
        AnnotationQueriesHttpModule, // notes, labels, customers by label
        LiveHttpModule, // live customer pages (Server-Sent Events) and presence
        // Operators: projections, versions, lag and rebuilds (the log for positions and lag).
        EventStoreModule.forRoot(config),
        ProjectionAdminModule,
      ],
      controllers: [HealthController],
    };
  }
}
