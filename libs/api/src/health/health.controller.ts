import { Controller, Get, Inject } from '@nestjs/common';
import { type EventStore } from '@rapport/event-store';
import { type ProjectionRunner } from '@rapport/read-models';
import { EVENT_STORE, TIMELINE_PROJECTOR } from '../platform/tokens';

@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(TIMELINE_PROJECTOR) private readonly timeline: ProjectionRunner,
  ) {}

  @Get()
  async health() {
    const head = await this.store.headPosition();
    const projection = this.timeline.status();
    return {
      status: 'ok',
      log: { head },
      projections: [{ ...projection, lag: head - projection.position }],
    };
  }
}
