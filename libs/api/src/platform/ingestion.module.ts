import { Module } from '@nestjs/common';
import { type EventStore } from '@rapport/event-store';
import { TouchpointIngestion } from '@rapport/ingestion';
import { type RapportConfig } from '../config/rapport-config';
import { EVENT_STORE, RAPPORT_CONFIG } from './tokens';

/** The ingestion use case, over the configured event log. */
@Module({
  providers: [
    {
      provide: TouchpointIngestion,
      useFactory: (store: EventStore, config: RapportConfig) =>
        new TouchpointIngestion(store, {
          now: () => new Date(),
          defaultPhoneRegion: config.defaultPhoneRegion,
        }),
      inject: [EVENT_STORE, RAPPORT_CONFIG],
    },
  ],
  exports: [TouchpointIngestion],
})
export class IngestionModule {}
