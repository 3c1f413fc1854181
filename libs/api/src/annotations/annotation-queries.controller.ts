import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { DAY_MS, normalizeLabel } from '@rapport/domain';
import {
  type ClosenessReadModel,
  ClosenessQueries,
  type ReadModels,
  type TimelineReadModel,
} from '@rapport/read-models';
import { Access } from '../access/access-policy';
import {
  AtRiskQueryDto,
  type AtRiskQuery,
  type RankingQuery,
  TopClosenessQueryDto,
  toAtRiskQuery,
  toRankingQuery,
} from '../closeness/closeness-queries';
import { QueryPipe } from '../http/dto.pipe';
import { CustomerIdPipe } from '../http/id-params';
import { ApiProblemResponse } from '../http/openapi-responses';
import { ProblemException } from '../http/problem';
import { CLOSENESS_READ_MODEL, READ_MODELS, TIMELINE_READ_MODEL } from '../platform/tokens';
import { LabelledQueryDto, NotesQueryDto } from './annotation-dtos';
import { customerGroupOf } from './annotation-lookups';
import {
  LabelledCustomersResponse,
  LabelledRankingResponse,
  LabelsResponse,
  NotesResponse,
} from './annotation-responses';

/** How far down a ranking a label filter looks (the API's own largest page). */
const LABEL_FILTER_DEPTH = 1000;
const round2 = (value: number) => Math.round(value * 100) / 100;

function labelParam(raw: string): string {
  const label = normalizeLabel(raw);
  if (!label.ok) throw new ProblemException(400, 'invalid label', label.errors);
  return label.value;
}

/** A customer's notes and labels, as the annotations read model has them. */
@ApiTags('customers')
@Controller('v1/customers')
export class AnnotationQueriesController {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    @Inject(TIMELINE_READ_MODEL) private readonly timeline: TimelineReadModel,
  ) {}

  @Access.staff('agent')
  @Get(':id/notes')
  @ApiOperation({
    summary: "A customer's internal notes, newest first (its merged customers' too)",
  })
  @ApiOkResponse({ type: NotesResponse })
  @ApiProblemResponse(400, 'bad id or query')
  @ApiProblemResponse(404, 'unknown customer')
  async notes(
    @Param('id', CustomerIdPipe) customerId: string,
    @Query(new QueryPipe(NotesQueryDto)) query: NotesQueryDto,
  ) {
    const group = await this.group(customerId);
    const limit = query.limit === undefined ? 50 : Number(query.limit);
    const items = await this.readModels.annotations.model.notes(group.customerIds, {
      limit,
      ...(query.before === undefined ? {} : { before: Number(query.before) }),
    });
    return {
      customerId: group.customerId,
      items,
      nextBefore: items.length === limit ? items[items.length - 1].position : null,
    };
  }

  @Access.staff('agent')
  @Get(':id/labels')
  @ApiOperation({ summary: "A customer's labels (its merged customers' too)" })
  @ApiOkResponse({ type: LabelsResponse })
  @ApiProblemResponse(400, 'bad id')
  @ApiProblemResponse(404, 'unknown customer')
  async labels(@Param('id', CustomerIdPipe) customerId: string) {
    const group = await this.group(customerId);
    return {
      customerId: group.customerId,
      labels: await this.readModels.annotations.model.labels(group.customerIds),
    };
  }

  private async group(customerId: string) {
    const group = await customerGroupOf(this.timeline, customerId);
    if (!group) throw new ProblemException(404, `no customer ${customerId}`);
    return group;
  }
}

/** Customers by label: all of them, or the closest and at-risk lists filtered by one. */
@ApiTags('customers')
@Controller('v1/labels')
export class LabelsController {
  private readonly closeness: ClosenessQueries;

  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    @Inject(TIMELINE_READ_MODEL) private readonly timeline: TimelineReadModel,
    @Inject(CLOSENESS_READ_MODEL) closeness: ClosenessReadModel,
  ) {
    this.closeness = new ClosenessQueries(closeness);
  }

  @Access.staff('agent')
  @Get(':label/customers')
  @ApiOperation({ summary: 'The customers carrying a label (merged ids answer as their survivor)' })
  @ApiParam({ name: 'label', description: 'a label, normalised like on adding' })
  @ApiOkResponse({ type: LabelledCustomersResponse })
  @ApiProblemResponse(400, 'bad label or limit')
  async customers(
    @Param('label') raw: string,
    @Query(new QueryPipe(LabelledQueryDto)) query: LabelledQueryDto,
  ) {
    const label = labelParam(raw);
    const limit = query.limit === undefined ? 50 : Number(query.limit);
    const ids = await this.labelled(label);
    const items = [];
    for (const customerId of [...ids].slice(0, limit)) {
      const profile = await this.timeline.profile(customerId);
      if (profile)
        items.push({
          customerId,
          touchpoints: profile.touchpoints,
          lastContact: profile.lastContact,
        });
    }
    return { label, items };
  }

  @Access.staff('agent')
  @Get(':label/closest')
  @ApiOperation({
    summary: `The closest customers carrying a label (among the ${LABEL_FILTER_DEPTH} closest)`,
  })
  @ApiOkResponse({ type: LabelledRankingResponse })
  @ApiProblemResponse(400, 'bad label or query')
  async closest(
    @Param('label') raw: string,
    @Query(new QueryPipe(TopClosenessQueryDto, toRankingQuery)) query: RankingQuery,
  ) {
    const label = labelParam(raw);
    const ids = await this.labelled(label);
    const asOf = await this.closeness.rankingMoment(query.at, Date.now());
    const ranked = await this.closeness.top(LABEL_FILTER_DEPTH, asOf);
    return {
      label,
      asOf: new Date(asOf).toISOString(),
      items: ranked
        .filter((c) => ids.has(c.customerId))
        .slice(0, query.limit)
        .map((c) => ({ ...c, score: round2(c.score) })),
    };
  }

  @Access.staff('agent')
  @Get(':label/at-risk')
  @ApiOperation({
    summary: `At-risk customers carrying a label (among the ${LABEL_FILTER_DEPTH} first at risk)`,
  })
  @ApiOkResponse({ type: LabelledRankingResponse })
  @ApiProblemResponse(400, 'bad label or query')
  async atRisk(
    @Param('label') raw: string,
    @Query(new QueryPipe(AtRiskQueryDto, toAtRiskQuery)) query: AtRiskQuery,
  ) {
    const label = labelParam(raw);
    const ids = await this.labelled(label);
    const asOf = await this.closeness.rankingMoment(query.at, Date.now());
    const ranked = await this.closeness.atRisk(query.windowMs, LABEL_FILTER_DEPTH, asOf);
    const { windowMs } = query;
    return {
      label,
      asOf: new Date(asOf).toISOString(),
      window: windowMs % DAY_MS === 0 ? `P${windowMs / DAY_MS}D` : `PT${windowMs / 3_600_000}H`,
      items: ranked
        .filter((c) => ids.has(c.customerId))
        .slice(0, query.limit)
        .map((c) => ({
          ...c,
          score: round2(c.score),
          scoreAtWindowStart: round2(c.scoreAtWindowStart),
          drop: round2(c.drop),
        })),
    };
  }

  /** The survivors of every customer carrying the label (sorted, at most 5,000 looked at). */
  private async labelled(label: string): Promise<Set<string>> {
    const ids = await this.readModels.annotations.model.customersLabelled(label, 5000);
    const survivors = await Promise.all(ids.map((id) => this.timeline.resolveCustomer(id)));
    return new Set(survivors.filter((id): id is string => id !== null).sort());
  }
}
