import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { TouchpointIngestion } from '@rapport/ingestion';
import {
  openReadModels,
  ProjectionRunner,
  type ReadModels,
  timelineProjection,
} from '@rapport/read-models';
import { type RapportConfig } from '../config/rapport-config';
import {
  EVENT_STORE,
  RAPPORT_CONFIG,
  READ_MODELS,
  TIMELINE_PROJECTOR,
  TIMELINE_READ_MODEL,
} from './tokens';

/** Starts the projections once the app is up, and closes everything in order on shutdown. */
@Injectable()
class PlatformLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    @Inject(TIMELINE_PROJECTOR) private readonly projector: ProjectionRunner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.projector.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projector.stop();
    await this.readModels.close();
    await this.store.close();
  }
}

/** The ports and their adapters, chosen from the configuration's URLs. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: RapportConfig): DynamicModule {
    return {
      module: PlatformModule,
      providers: [
        { provide: RAPPORT_CONFIG, useValue: config },
        { provide: EVENT_STORE, useFactory: () => openEventStore(config.eventStoreUrl) },
        { provide: READ_MODELS, useFactory: () => openReadModels(config.readModelsUrl) },
        {
          provide: TIMELINE_READ_MODEL,
          useFactory: (rm: ReadModels) => rm.timeline,
          inject: [READ_MODELS],
        },
        {
          provide: TIMELINE_PROJECTOR,
          useFactory: (store: EventStore, rm: ReadModels) =>
            new ProjectionRunner(store, timelineProjection(rm.timeline)),
          inject: [EVENT_STORE, READ_MODELS],
        },
        {
          provide: TouchpointIngestion,
          useFactory: (store: EventStore) =>
            new TouchpointIngestion(store, {
              now: () => new Date(),
              defaultPhoneRegion: config.defaultPhoneRegion,
            }),
          inject: [EVENT_STORE],
        },
        PlatformLifecycle,
      ],
      exports: [
        RAPPORT_CONFIG,
        EVENT_STORE,
        READ_MODELS,
        TIMELINE_READ_MODEL,
        TIMELINE_PROJECTOR,
        TouchpointIngestion,
      ],
    };
  }
}
