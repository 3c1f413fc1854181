import { Module } from '@nestjs/common';
import { CustomerProfileController } from '../customers/customer-profile.controller';
import { SubjectAccessController } from '../customers/subject-access.controller';
import { TimeTravelModule } from '../time-travel/time-travel.module';
import { TimelineController } from './timeline.controller';

@Module({
  imports: [TimeTravelModule],
  controllers: [TimelineController, CustomerProfileController, SubjectAccessController],
})
export class TimelineHttpModule {}
