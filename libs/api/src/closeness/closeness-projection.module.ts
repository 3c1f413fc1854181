import { Module } from '@nestjs/common';
import { type EventStore } from '@rapport/event-store';
import { type ReadModels } from '@rapport/read-models';
import { hostedProjection } from '../platform/projection-host';
import { CLOSENESS_PROJECTOR, EVENT_STORE, READ_MODELS } from '../platform/tokens';

/** The projector's closeness part: follow the log into the closeness read model. */
@Module({
  providers: [
    hostedProjection(
      CLOSENESS_PROJECTOR,
      'closeness',
      (store: EventStore, readModels: ReadModels) => (log) =>
        readModels.startClosenessProjection(store, log),
      [EVENT_STORE, READ_MODELS],
    ),
  ],
  exports: [CLOSENESS_PROJECTOR],
})
export class ClosenessProjectionModule {}
