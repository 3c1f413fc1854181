import { type DynamicModule, Module } from '@nestjs/common';
import {
  ClosenessHttpModule,
  HealthController,
  IdeaBacklogModule,
  IdeaQueriesHttpModule,
  type RapportConfig,
  RapportConfigModule,
  ReadModelsModule,
  TimelineHttpModule,
} from '@rapport/api';

/** What support staff query: timelines and customers, read from the read models only. */
@Module({})
export class QueryApiModule {
  static forRoot(config: RapportConfig): DynamicModule {
    return {
      module: QueryApiModule,
      imports: [
        RapportConfigModule.forRoot(config),
        ReadModelsModule.forRoot(config),
        TimelineHttpModule,
        ClosenessHttpModule,
        IdeaBacklogModule.forRoot(config),
        IdeaQueriesHttpModule,
      ],
      controllers: [HealthController],
    };
  }
}
