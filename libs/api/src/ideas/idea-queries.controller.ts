import { Controller, Get, Inject, Optional, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  BACKLOG_SORTS,
  type BacklogQuery,
  IDEA_STATUSES,
  PRIORITY_MODES,
  backlogEntryOf,
  backlogItemOf,
  rankBacklog,
} from '@rapport/domain';
import { redirectsFor, type ResolveCustomer } from '@rapport/application';
import { type IdeaBacklog, rankedBacklogPage, type TimelineReadModel } from '@rapport/read-models';
import { QueryPipe } from '../http/dto.pipe';
import { IdParamPipe } from '../http/id-params';
import { ApiProblemResponse } from '../http/openapi-responses';
import { ProblemException } from '../http/problem';
import { TIMELINE_READ_MODEL } from '../platform/tokens';
import { BacklogQueryDto, toBacklogQuery } from './idea-dtos';
import { BacklogPageResponse, CustomerIdeasResponse, IdeaDetailResponse } from './idea-responses';
import { IDEA_BACKLOG, IDEA_CLOSENESS_WEIGHT } from './idea-tokens';
import { ideasOfPerson, personIdea } from './ideas-of-person';
import { Access } from '../access/access-policy';

/** A supporter's weight for `priority=closeness`. */
export type ClosenessWeightLookup = (customerId: string) => Promise<number>;

/**
 * The largest weight `closenessWeightFrom` gives (a score of 100 ÷ 50): it bounds how far
 * a page of `priority=closeness` reads. A lookup that weighs more is still ranked right —
 * every idea is then read (see `rankedBacklogPage`).
 */
export const MAX_CLOSENESS_WEIGHT = 2;

/** What staff triage from: the backlog, one idea, a customer's ideas. */
@ApiTags('ideas')
@Controller()
export class IdeaQueriesController {
  private readonly resolve: ResolveCustomer;

  constructor(
    @Inject(IDEA_BACKLOG) private readonly backlog: IdeaBacklog,
    @Optional() @Inject(TIMELINE_READ_MODEL) private readonly timeline?: TimelineReadModel,
    @Optional() @Inject(IDEA_CLOSENESS_WEIGHT) private readonly closeness?: ClosenessWeightLookup,
  ) {
    // Merged customers count once: the timeline read model knows where an id leads.
    this.resolve = timeline?.resolveCustomer
      ? (id) => timeline.resolveCustomer(id)
      : async (id) => id;
  }

  /** The customer ids that stand for one person: the survivor and every id merged into it. */
  private async idsOfPerson(customerId: string): Promise<string[]> {
    const profile = this.timeline?.profile ? await this.timeline.profile(customerId) : null;
    if (!profile) return [customerId];
    return [...new Set([customerId, profile.customerId, ...profile.mergedCustomers])];
  }

  @Access.staff('agent')
  @Get('v1/ideas')
  @ApiOperation({
    summary: 'The backlog: filtered by status and title words, ranked by priority or trend',
  })
  @ApiQuery({
    name: 'status',
    required: false,
    example: 'new,under_review',
    description: `any of ${IDEA_STATUSES.join(', ')}`,
  })
  @ApiQuery({ name: 'sort', required: false, enum: BACKLOG_SORTS, description: 'default priority' })
  @ApiQuery({
    name: 'priority',
    required: false,
    enum: PRIORITY_MODES,
    description: 'count (default), closeness-weighted, or staff RICE',
  })
  @ApiQuery({ name: 'q', required: false, description: 'words that must all appear in the title' })
  @ApiQuery({
    name: 'trendDays',
    required: false,
    description: 'trend window, 1–365 days, default 30',
  })
  @ApiQuery({ name: 'limit', required: false, description: '1–200, default 50' })
  @ApiQuery({ name: 'offset', required: false })
  @ApiOkResponse({ type: BacklogPageResponse })
  @ApiProblemResponse(400, 'problem details with field-level errors')
  async list(@Query(new QueryPipe(BacklogQueryDto, toBacklogQuery)) query: BacklogQuery) {
    const now = new Date().toISOString();
    const withCloseness = query.priority === 'closeness';
    // The page from the model's maintained orders: only its ideas' supporters are resolved.
    const page = await rankedBacklogPage(this.backlog.model, query, {
      contextFor: (customers) => this.context(customers, withCloseness, now),
      maxClosenessWeight: this.closeness ? MAX_CLOSENESS_WEIGHT : 1,
    });
    if (page) return page;
    // Words in the title (or a weight beyond the bound): every idea is ranked.
    const entries = await this.backlog.model.list(query.statuses);
    const customers = entries.flatMap((e) => e.votes.map(([customerId]) => customerId));
    return rankBacklog(entries, query, await this.context(customers, withCloseness, now));
  }

  @Access.staff('agent')
  @Get('v1/ideas/:id')
  @ApiOperation({
    summary:
      'One idea: supporters, comments, history (a merged id answers with the idea it went into)',
  })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({
    type: IdeaDetailResponse,
    description: 'the idea; `redirectedFrom` when the id was merged',
  })
  @ApiProblemResponse(400, 'a malformed idea id')
  @ApiProblemResponse(404, 'no such idea')
  async get(@Param('id', new IdParamPipe('idea id')) ideaId: string) {
    let view = (await this.backlog.model.getMany([ideaId])).get(ideaId);
    let redirectedFrom: string | undefined;
    for (let hops = 0; view?.mergedInto !== undefined && hops < 32; hops += 1) {
      redirectedFrom ??= ideaId;
      view = (await this.backlog.model.getMany([view.mergedInto])).get(view.mergedInto);
    }
    if (!view) throw new ProblemException(404, `no idea ${ideaId}`);
    const context = await this.context(
      view.votes.map((v) => v.customerId),
      false,
    );
    const item = backlogItemOf(backlogEntryOf(view), 'count', context);
    const supporters = [...new Set(view.votes.map((v) => context.redirects(v.customerId)))].sort();
    return {
      ...view,
      ...(redirectedFrom ? { redirectedFrom } : {}),
      voteCount: item.votes,
      trend: item.trend,
      supporters,
    };
  }

  @Access.staff('agent')
  @Get('v1/customers/:id/ideas')
  @ApiOperation({
    summary: 'The ideas a customer submitted or supports (for the customer profile)',
  })
  @ApiParam({ name: 'id', description: 'customer id' })
  @ApiOkResponse({ type: CustomerIdeasResponse })
  @ApiProblemResponse(400, 'a malformed customer id')
  async ofCustomer(@Param('id', new IdParamPipe('customer id')) customerId: string) {
    const ids = await this.idsOfPerson(customerId);
    const views = await ideasOfPerson(this.backlog, ids);
    const context = await this.context(
      views.flatMap((v) => v.votes.map((vote) => vote.customerId)),
      false,
    );
    const items = views.map((view) => ({
      ...backlogItemOf(backlogEntryOf(view), 'count', context),
      role: personIdea(view, ids).role,
    }));
    return { customerId, items };
  }

  private async context(
    customers: readonly string[],
    withCloseness: boolean,
    now = new Date().toISOString(),
  ) {
    const redirects = await redirectsFor(customers, this.resolve);
    const weights = new Map<string, number>();
    if (withCloseness && this.closeness) {
      const lookup = this.closeness;
      await Promise.all(
        [...new Set(customers.map(redirects))].map(async (id) => weights.set(id, await lookup(id))),
      );
    }
    return {
      now,
      redirects,
      closeness: (id: string) => weights.get(id) ?? 1,
    };
  }
}
