import { type DynamicModule, Module } from '@nestjs/common';
import {
  ClosenessHttpModule,
  HealthController,
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
      ],
      controllers: [HealthController],
    };
  }
}
