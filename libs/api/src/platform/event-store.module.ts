import { type DynamicModule, Global, Module } from '@nestjs/common';
import { openEventStore } from '@rapport/event-store';
import { type RapportConfig } from '../config/rapport-config';
import { closedOnShutdown } from './projection-host';
import { EVENT_STORE } from './tokens';

/** The event log named by `RAPPORT_EVENT_STORE`. */
@Global()
@Module({})
export class EventStoreModule {
  static forRoot(config: RapportConfig): DynamicModule {
    return {
      module: EventStoreModule,
      providers: [...closedOnShutdown(EVENT_STORE, () => openEventStore(config.eventStoreUrl))],
      exports: [EVENT_STORE],
    };
  }
}
