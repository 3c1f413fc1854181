import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { type EventStore } from '@rapport/event-store';
import { openRedisGraphHistory, TimeTravel } from '@rapport/read-models';
import { type RapportConfig } from '../config/rapport-config';
import { EVENT_STORE, RAPPORT_CONFIG } from '../platform/tokens';
import { TIME_TRAVEL } from './time-travel-tokens';

/**
 * `?asOf=` for the queries of this process: one `TimeTravel` over the event log, shared by
 * every controller that imports this. Where the read models are in Redis, the identity
 * graph of then is read from a history kept beside them, around the customer asked about
 * (an LRU of `RAPPORT_TIME_TRAVEL_RECORDS` records in process); otherwise whole graphs are
 * folded in process (bounded by `RAPPORT_TIME_TRAVEL_SNAPSHOTS`).
 * Null where the process has no event log: `asOf` then answers 501.
 */
@Module({
  providers: [
    {
      provide: TIME_TRAVEL,
      useFactory: (store: EventStore | undefined, config: RapportConfig | undefined) =>
        store
          ? new TimeTravel(store, {
              snapshots: config?.timeTravelSnapshots,
              history: config
                ? openRedisGraphHistory(config.readModelsUrl, store, {
                    cachedRecords: config.timeTravelRecords,
                  })
                : undefined,
            })
          : null,
      inject: [
        { token: EVENT_STORE, optional: true },
        { token: RAPPORT_CONFIG, optional: true },
      ],
    },
    {
      provide: Symbol('close TIME_TRAVEL'),
      useFactory: (travel: TimeTravel | null): OnApplicationShutdown => ({
        onApplicationShutdown: async () => travel?.close(),
      }),
      inject: [TIME_TRAVEL],
    },
  ],
  exports: [TIME_TRAVEL],
})
export class TimeTravelModule {}
