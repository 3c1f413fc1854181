import { type IdentityPolicy } from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import type Redis from 'ioredis';
import { timelineProjection } from '../timeline/timeline-projection';
import { LeasedProjection, type LeasedProjectionOptions } from './leased-projection';
import { RedisTimelineReadModel } from './redis-timeline-read-model';

export { type LeasedProjectionOptions, type ProjectorRole } from './leased-projection';

/** The timeline projection into Redis, under the lease `<prefix>lease:timeline`. */
export class LeasedTimelineProjection extends LeasedProjection {
  constructor(
    store: EventStore,
    redis: Redis,
    options: LeasedProjectionOptions,
    identityPolicy?: IdentityPolicy,
  ) {
    super(store, redis, options, {
      name: 'timeline',
      target: (fence) =>
        timelineProjection(
          new RedisTimelineReadModel(redis, { prefix: options.prefix, fence }),
          identityPolicy,
        ),
    });
  }
}
