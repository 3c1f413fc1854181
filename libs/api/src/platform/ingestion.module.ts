import { Logger, Module } from '@nestjs/common';
import { type EventStore } from '@rapport/event-store';
import { LogSuppressionList, TouchpointIngestion } from '@rapport/application';
import { type PersonalData } from '@rapport/privacy';
import { type RapportConfig } from '../config/rapport-config';
import { EVENT_STORE, PERSONAL_DATA, RAPPORT_CONFIG, SUPPRESSION_LIST } from './tokens';

/** The ingestion use case, over the configured event log. */
@Module({
  providers: [
    {
      provide: SUPPRESSION_LIST,
      useFactory: (store: EventStore, personalData: PersonalData | null) =>
        personalData ? new LogSuppressionList(store) : null,
      inject: [EVENT_STORE, PERSONAL_DATA],
    },
    {
      provide: TouchpointIngestion,
      useFactory: (
        store: EventStore,
        config: RapportConfig,
        personalData: PersonalData | null,
        suppression: LogSuppressionList | null,
      ) =>
        new TouchpointIngestion(store, {
          now: () => new Date(),
          ...(personalData
            ? {
                hashIdentity: personalData.hashIdentity,
                ...(config.identityPolicy ? { identityPolicy: config.identityPolicy } : {}),
                ...(suppression ? { suppression } : {}),
              }
            : {}),
          defaultPhoneRegion: config.defaultPhoneRegion,
          // A bug, said loudly with its stack; the event itself is never logged.
          onUnexpectedError: (error, reference) =>
            new Logger('ingestion').error(
              `unexpected error on one event (${reference}); it was refused alone`,
              error instanceof Error ? error.stack : String(error),
            ),
        }),
      inject: [EVENT_STORE, RAPPORT_CONFIG, PERSONAL_DATA, SUPPRESSION_LIST],
    },
  ],
  exports: [TouchpointIngestion, SUPPRESSION_LIST],
})
export class IngestionModule {}
