import { type DynamicModule, Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { type PersonalData } from '@rapport/privacy';
import { type RapportConfig } from '../config/rapport-config';
import { PersonalDataModule } from './personal-data.module';
import { EVENT_STORE, PERSONAL_DATA } from './tokens';

/** The event log named by `RAPPORT_EVENT_STORE`, personal fields protected unless protection is off. */
@Global()
@Module({})
export class EventStoreModule {
  static forRoot(config: RapportConfig): DynamicModule {
    return {
      module: EventStoreModule,
      imports: [PersonalDataModule.forRoot(config)],
      providers: [
        {
          provide: EVENT_STORE,
          useFactory: async (personalData: PersonalData | null) => {
            const log = await openEventStore(config.eventStoreUrl);
            return personalData ? personalData.protect(log) : log;
          },
          inject: [PERSONAL_DATA],
        },
        {
          provide: Symbol('close EVENT_STORE'),
          useFactory: (store: EventStore): OnApplicationShutdown => ({
            onApplicationShutdown: () => store.close(),
          }),
          inject: [EVENT_STORE],
        },
      ],
      exports: [EVENT_STORE, PersonalDataModule],
    };
  }
}
