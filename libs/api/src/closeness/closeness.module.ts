import { Module } from '@nestjs/common';
import { TimeTravelModule } from '../time-travel/time-travel.module';
import { ClosenessRankingController, CustomerClosenessController } from './closeness.controller';

/** The closeness API, read from the closeness read model (time travel over the log for `asOf=<position>`). */
@Module({
  imports: [TimeTravelModule],
  controllers: [CustomerClosenessController, ClosenessRankingController],
})
export class ClosenessHttpModule {}
