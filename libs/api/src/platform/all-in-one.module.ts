import { type DynamicModule, Module } from '@nestjs/common';
import { AccessAdminHttpModule, AccessModule } from '../access/access.module';
import { ProjectionAdminModule } from '../admin/admin.module';
import { type RapportConfig } from '../config/rapport-config';
import { RapportConfigModule } from '../config/rapport-config.module';
import { ClosenessHttpModule } from '../closeness/closeness.module';
import { ClosenessProjectionModule } from '../closeness/closeness-projection.module';
import { HealthController } from '../health/health.controller';
import {
  IdeaBacklogModule,
  IdeaBacklogProjectionModule,
  IdeaCommandsHttpModule,
  IdeaQueriesHttpModule,
} from '../ideas/ideas.module';
import { IdeaLoopModule } from '../ideas/idea-loop.module';
import { CustomerCommandsHttpModule } from '../customers/customers.module';
import { TimelineHttpModule } from '../timeline/timeline.module';
import { OutboundHttpModule } from '../outbound/outbound.module';
import { TouchpointsHttpModule } from '../touchpoints/touchpoints.module';
import { EventStoreModule } from './event-store.module';
import { TimelineProjectionModule } from './timeline-projection.module';
import { ReadModelsModule } from './read-models.module';
import { ObservabilityModule } from '../observability/observability.module';
import {
  AnnotationCommandsHttpModule,
  AnnotationQueriesHttpModule,
  AnnotationsProjectionModule,
} from '../annotations/annotations.module';
import { LiveHttpModule } from '../live/live.module';

/** The whole platform in one process: ingestion, projection and queries. */
@Module({})
export class AllInOneModule {
  static forRoot(config: RapportConfig): DynamicModule {
    return {
      module: AllInOneModule,
      imports: [
        RapportConfigModule.forRoot(config),
        ObservabilityModule.forRoot(), // /metrics, /health/live, /health/ready
        EventStoreModule.forRoot(config),
        ReadModelsModule.forRoot(config),
        AccessModule.forRoot(config),
        AccessAdminHttpModule,
        TimelineProjectionModule,
        TouchpointsHttpModule,
        OutboundHttpModule,
        TimelineHttpModule,
        CustomerCommandsHttpModule,
        ClosenessProjectionModule,
        ClosenessHttpModule,
        IdeaBacklogModule,
        IdeaBacklogProjectionModule,
        IdeaCommandsHttpModule,
        IdeaQueriesHttpModule,
        IdeaLoopModule,
        ProjectionAdminModule,
        // Staff notes and labels, live customer pages and presence.
        AnnotationsProjectionModule,
        AnnotationCommandsHttpModule,
        AnnotationQueriesHttpModule,
        LiveHttpModule,
      ],
      controllers: [HealthController],
    };
  }
}
