import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { type Response } from 'express';
import { type EventStore } from '@rapport/event-store';
import { type RunningProjection, type TimelineReadModel } from '@rapport/read-models';
import { IdeaLoopService } from '../ideas/idea-loop.module';
import { IDEA_BACKLOG_PROJECTOR } from '../ideas/idea-tokens';
import {
  CLOSENESS_PROJECTOR,
  EVENT_STORE,
  HEALTH_CHECKS,
  type HealthCheck,
  TIMELINE_PROJECTOR,
  TIMELINE_READ_MODEL,
} from '../platform/tokens';
import { HealthResponse } from './health-responses';
import { Access } from '../access/access-policy';

/** Liveness and progress of whatever this process runs: the log, the projection, the read model. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Optional() @Inject(EVENT_STORE) private readonly store?: EventStore,
    @Optional() @Inject(TIMELINE_PROJECTOR) private readonly projection?: RunningProjection,
    @Optional() @Inject(TIMELINE_READ_MODEL) private readonly timeline?: TimelineReadModel,
    @Optional() @Inject(IDEA_BACKLOG_PROJECTOR) private readonly ideas?: RunningProjection,
    @Optional() @Inject(CLOSENESS_PROJECTOR) private readonly closeness?: RunningProjection,
    @Optional() private readonly ideaLoop?: IdeaLoopService,
    @Optional() @Inject(HEALTH_CHECKS) private readonly checks?: readonly HealthCheck[],
  ) {}

  @Access.open()
  @Get()
  @ApiOperation({ summary: 'Health: the checks, the log head, and each projection’s progress' })
  @ApiOkResponse({ type: HealthResponse })
  @ApiServiceUnavailableResponse({ type: HealthResponse, description: 'a check is failing' })
  async health(@Res({ passthrough: true }) res: Response) {
    const head = this.store ? await this.store.headPosition() : undefined;
    const projections = this.projection
      ? [
          {
            ...this.projection.status(),
            ...(head === undefined ? {} : { lag: head - this.projection.status().position }),
          },
        ]
      : [];
    // The idea backlog after the timeline (which stays first), where this process runs it.
    const ideas = this.ideas ? statusOf(this.ideas) : undefined;
    if (ideas)
      projections.push({ ...ideas, ...(head === undefined ? {} : { lag: head - ideas.position }) });
    const closeness = this.closeness ? statusOf(this.closeness) : undefined;
    if (closeness)
      projections.push({
        ...closeness,
        ...(head === undefined ? {} : { lag: head - closeness.position }),
      });
    // Identity resolution (it runs beside the timeline projection), where this process runs it.
    for (const companion of this.projection?.companions ?? []) {
      const status = statusOf(companion);
      if (status)
        projections.push({
          ...status,
          ...(head === undefined ? {} : { lag: head - status.position }),
        });
    }
    // The idea loop's followers (intake, notifier), where this process runs them.
    for (const loop of this.ideaLoop?.statuses() ?? [])
      projections.push({ ...loop, ...(head === undefined ? {} : { lag: head - loop.position }) });
    const readModel = this.timeline
      ? { timelineCheckpoint: await this.timeline.checkpoint() }
      : undefined;
    const checks = Object.fromEntries((this.checks ?? []).map((c) => [c.name, c.status()]));
    const failing = Object.values(checks).some((c) => c.status !== 'ok');
    if (failing) res.status(503);
    return {
      status: failing ? 'failing' : 'ok',
      ...(Object.keys(checks).length > 0 ? { checks } : {}),
      ...(head === undefined ? {} : { log: { head } }),
      projections,
      ...(readModel ? { readModel } : {}),
    };
  }
}

function statusOf(
  projection: RunningProjection,
): ReturnType<RunningProjection['status']> | undefined {
  try {
    return projection.status();
  } catch {
    return undefined; // not started yet
  }
}
