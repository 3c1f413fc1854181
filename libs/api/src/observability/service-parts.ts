import { Injectable, type InjectionToken } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { type EventStore } from '@rapport/event-store';
import {
  type ProjectionStatus,
  type RunningProjection,
  type TimelineReadModel,
} from '@rapport/read-models';
import { ProjectionAdminService } from '../admin/projection-admin.service';
import { IdeaLoopService } from '../ideas/idea-loop.module';
import { IDEA_BACKLOG_PROJECTOR } from '../ideas/idea-tokens';
import {
  CLOSENESS_PROJECTOR,
  EVENT_STORE,
  TIMELINE_PROJECTOR,
  TIMELINE_READ_MODEL,
} from '../platform/tokens';

/** A projection's status; a leased (Redis) projector adds its role. */
export type ObservedProjection = ProjectionStatus & { readonly role?: 'standby' | 'active' };

/**
 * What this process runs, found wherever the service's modules provide it (the same parts
 * `/health` reports): the log, the projections and their companions, the timeline read model.
 */
@Injectable()
export class ServiceParts {
  constructor(private readonly moduleRef: ModuleRef) {}

  get store(): EventStore | undefined {
    return this.find<EventStore>(EVENT_STORE);
  }

  get timelineReadModel(): TimelineReadModel | undefined {
    return this.find<TimelineReadModel>(TIMELINE_READ_MODEL);
  }

  /** Every projection this process runs that has started, with its status. */
  projections(): ObservedProjection[] {
    const statuses: ObservedProjection[] = [];
    const add = (projection: RunningProjection | undefined) => {
      if (!projection) return;
      try {
        statuses.push(projection.status());
      } catch {
        // not started yet
      }
    };
    const timeline = this.find<RunningProjection>(TIMELINE_PROJECTOR);
    add(timeline);
    add(this.find<RunningProjection>(IDEA_BACKLOG_PROJECTOR));
    add(this.find<RunningProjection>(CLOSENESS_PROJECTOR));
    for (const companion of timeline?.companions ?? []) add(companion);
    statuses.push(...(this.find<IdeaLoopService>(IdeaLoopService)?.statuses() ?? []));
    return statuses;
  }

  /** Rebuilds this process runs (the query API, where operators start them): position of head. */
  rebuilds(): { readonly name: string; readonly position: number; readonly head: number }[] {
    const admin = this.find<ProjectionAdminService>(ProjectionAdminService);
    return (admin?.rebuildsUnderWay() ?? []).map(({ name, progress }) => ({
      name,
      position: progress?.position ?? 0,
      head: progress?.head ?? 0,
    }));
  }

  private find<T>(token: InjectionToken): T | undefined {
    try {
      return (this.moduleRef.get(token, { strict: false }) as T | null) ?? undefined;
    } catch {
      return undefined;
    }
  }
}
