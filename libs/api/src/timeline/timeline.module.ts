import { Module } from '@nestjs/common';
import { CustomerProfileController } from '../customers/customer-profile.controller';
import { SubjectAccessController } from '../customers/subject-access.controller';
import { TimeTravelModule } from '../time-travel/time-travel.module';
import { CustomerSearchController } from '../customers/customer-search.controller';
import { MergeSuggestionQueueController } from '../customers/merge-suggestions.controller';
import { TimelineController } from './timeline.controller';
import { TouchpointContentController } from './touchpoint-content.controller';

@Module({
  imports: [TimeTravelModule],
  controllers: [
    TimelineController,
    CustomerProfileController,
    SubjectAccessController,
    CustomerSearchController,
    TouchpointContentController,
    MergeSuggestionQueueController,
  ],
})
export class TimelineHttpModule {}
