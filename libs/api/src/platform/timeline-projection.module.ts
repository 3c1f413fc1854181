import { Module } from '@nestjs/common';
import { startIdentityResolution, withCompanions } from '@rapport/application';
import { type EventStore } from '@rapport/event-store';
import { type ReadModels } from '@rapport/read-models';
import { type RapportConfig } from '../config/rapport-config';
import { hostedProjection } from './projection-host';
import { EVENT_STORE, RAPPORT_CONFIG, READ_MODELS, TIMELINE_PROJECTOR } from './tokens';

/**
 * The projector's timeline part: the timeline projection and, beside it, identity
 * resolution, which reads touchpoints and appends the links and merges they imply to the
 * log, which the timeline then applies. `waitFor` waits for both (read-your-writes,
 * identities included).
 */
@Module({
  providers: [
    hostedProjection(
      TIMELINE_PROJECTOR,
      'timeline',
      (store: EventStore, readModels: ReadModels, config: RapportConfig) => async (log) => {
        const timeline = await readModels.startTimelineProjection(store, log);
        const resolution = await startIdentityResolution(
          readModels,
          store,
          log,
          config.identityPolicy,
        );
        return withCompanions(timeline, [resolution], () => store.headPosition());
      },
      [EVENT_STORE, READ_MODELS, RAPPORT_CONFIG],
    ),
  ],
  exports: [TIMELINE_PROJECTOR],
})
export class TimelineProjectionModule {}
