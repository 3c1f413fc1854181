import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { type RapportConfig } from '../config/rapport-config';
import { EVENT_STORE } from './tokens';

@Injectable()
class EventStoreCloser implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** The event log named by `RAPPORT_EVENT_STORE`. */
@Global()
@Module({})
export class EventStoreModule {
  static forRoot(config: RapportConfig): DynamicModule {
    return {
      module: EventStoreModule,
      providers: [
        { provide: EVENT_STORE, useFactory: async () => openEventStore(config.eventStoreUrl) },
        EventStoreCloser,
      ],
      exports: [EVENT_STORE],
    };
  }
}
