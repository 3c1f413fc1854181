import { Module } from '@nestjs/common';
import { type ReadModels, type TimelineReadModel } from '@rapport/read-models';
import { READ_MODELS, TIMELINE_READ_MODEL } from '../platform/tokens';
import { LiveController } from './live.controller';
import { LiveHub } from './live-hub';
import { liveSettingsFromEnv } from './live-settings';

/** Live customer pages: Server-Sent Events and presence (the query API, `rapport dev`). */
@Module({
  controllers: [LiveController],
  providers: [
    {
      provide: LiveHub,
      useFactory: (readModels: ReadModels, timeline: TimelineReadModel) =>
        new LiveHub(readModels, timeline, liveSettingsFromEnv()),
      inject: [READ_MODELS, TIMELINE_READ_MODEL],
    },
  ],
  exports: [LiveHub],
})
export class LiveHttpModule {}
