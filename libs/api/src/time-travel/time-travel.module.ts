import { Module } from '@nestjs/common';
import { type EventStore } from '@rapport/event-store';
import { TimeTravel } from '@rapport/read-models';
import { EVENT_STORE } from '../platform/tokens';
import { TIME_TRAVEL } from './time-travel-tokens';

/**
 * `?asOf=` for the queries of this process: one `TimeTravel` over the event log (it keeps
 * the identity graph's history, so it is shared by every controller that imports this).
 * Null where the process has no event log: `asOf` then answers 501.
 */
@Module({
  providers: [
    {
      provide: TIME_TRAVEL,
      useFactory: (store: EventStore | undefined) => (store ? new TimeTravel(store) : null),
      inject: [{ token: EVENT_STORE, optional: true }],
    },
  ],
  exports: [TIME_TRAVEL],
})
export class TimeTravelModule {}
