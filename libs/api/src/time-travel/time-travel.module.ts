import { Module } from '@nestjs/common';
import { type EventStore } from '@rapport/event-store';
import { TimeTravel } from '@rapport/read-models';
import { type RapportConfig } from '../config/rapport-config';
import { EVENT_STORE, RAPPORT_CONFIG } from '../platform/tokens';
import { TIME_TRAVEL } from './time-travel-tokens';

/**
 * `?asOf=` for the queries of this process: one `TimeTravel` over the event log (it keeps
 * the identity graph's history, bounded by `RAPPORT_TIME_TRAVEL_SNAPSHOTS`, so it is shared
 * by every controller that imports this).
 * Null where the process has no event log: `asOf` then answers 501.
 */
@Module({
  providers: [
    {
      provide: TIME_TRAVEL,
      useFactory: (store: EventStore | undefined, config: RapportConfig | undefined) =>
        store ? new TimeTravel(store, { snapshots: config?.timeTravelSnapshots }) : null,
      inject: [
        { token: EVENT_STORE, optional: true },
        { token: RAPPORT_CONFIG, optional: true },
      ],
    },
  ],
  exports: [TIME_TRAVEL],
})
export class TimeTravelModule {}
