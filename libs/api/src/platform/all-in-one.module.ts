import { type DynamicModule, Module } from '@nestjs/common';
import { type RapportConfig } from '../config/rapport-config';
import { HealthController } from '../health/health.controller';
import { TimelineHttpModule } from '../timeline/timeline.module';
import { TouchpointsHttpModule } from '../touchpoints/touchpoints.module';
import { PlatformModule } from './platform.module';

/** The whole platform in one process: ingestion, projection and queries. */
@Module({})
export class AllInOneModule {
  static forRoot(config: RapportConfig): DynamicModule {
    return {
      module: AllInOneModule,
      imports: [PlatformModule.forRoot(config), TouchpointsHttpModule, TimelineHttpModule],
      controllers: [HealthController],
    };
  }
}
