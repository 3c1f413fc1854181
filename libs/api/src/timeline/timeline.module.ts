import { Module } from '@nestjs/common';
import { CustomerProfileController } from '../customers/customer-profile.controller';
import { TimelineController } from './timeline.controller';

@Module({ controllers: [TimelineController, CustomerProfileController] })
export class TimelineHttpModule {}
