import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DAY_MS } from '@rapport/domain';
import {
  PastRankingTooCostlyError,
  type ClosenessReadModel,
  ClosenessQueries,
  type TimeTravel,
} from '@rapport/read-models';
import { QueryPipe } from '../http/dto.pipe';
import { CustomerIdPipe } from '../http/id-params';
import { ApiProblemResponse } from '../http/openapi-responses';
import { ProblemException } from '../http/problem';
import { CLOSENESS_READ_MODEL } from '../platform/tokens';
import { resolveAsOfParam } from '../time-travel/as-of-param';
import { TIME_TRAVEL } from '../time-travel/time-travel-tokens';
import {
  AtRiskQueryDto,
  type AtRiskQuery,
  CustomerClosenessQueryDto,
  type CustomerClosenessQuery,
  type RankingQuery,
  TopClosenessQueryDto,
  toAtRiskQuery,
  toCustomerClosenessQuery,
  toRankingQuery,
} from './closeness-queries';
import {
  AtRiskClosenessResponse,
  CustomerClosenessResponse,
  TopClosenessResponse,
} from './closeness-responses';
import { Access } from '../access/access-policy';

const AS_OF = {
  name: 'asOf',
  required: false,
  description: 'RFC 3339 time to compute for (default: now)',
  example: '2026-06-01T12:00:00Z',
};

/** Scores are shown to two decimals; they are computed (and ranked) at full precision. */
const round2 = (value: number) => Math.round(value * 100) / 100;

/** A customer's closeness: score, components, what weighs most, and how it moved. */
@ApiTags('closeness')
@Controller('v1/customers')
export class CustomerClosenessController {
  private readonly queries: ClosenessQueries;
  constructor(
    @Inject(CLOSENESS_READ_MODEL) private readonly model: ClosenessReadModel,
    @Inject(TIME_TRAVEL) private readonly timeTravel: TimeTravel | null,
  ) {
    this.queries = new ClosenessQueries(model);
  }

  @Access.staff('agent')
  @Get(':id/closeness')
  @ApiOperation({
    summary:
      "A customer's closeness score (0–100), its components, top contributors and daily history",
  })
  @ApiParam({ name: 'id', description: 'customer id (UUID)' })
  @ApiQuery({
    ...AS_OF,
    description:
      'an RFC 3339 time: the score at that moment (touchpoints that happened by then; identities as known now); or a log position (digits): time travel — the log up to that position, its identity graph (later merges not applied), scored at the time the log recorded it (the answer names it in `log`)',
  })
  @ApiQuery({
    name: 'days',
    required: false,
    description: 'days of daily history, 1–365, default 30',
  })
  @ApiOkResponse({ type: CustomerClosenessResponse })
  @ApiProblemResponse(400, 'problem details with field-level errors')
  @ApiProblemResponse(404, 'no contact with this customer on record')
  async closeness(
    @Param('id', CustomerIdPipe) customerId: string,
    @Query(new QueryPipe(CustomerClosenessQueryDto, toCustomerClosenessQuery))
    query: CustomerClosenessQuery,
  ) {
    const { days } = query;
    const logAsOf = await resolveAsOfParam(this.timeTravel, query.logPosition, () =>
      this.model.checkpoint(),
    );
    const report = logAsOf
      ? await this.queries.customerAsOfLog(customerId, logAsOf, Date.now(), { days })
      : await this.queries.customer(customerId, query.at ?? Date.now(), { days });
    if (!report)
      throw new ProblemException(404, `no contact with customer ${customerId} on record`);
    return {
      ...report,
      ...(logAsOf ? { log: { position: logAsOf.position, recordedAt: logAsOf.recordedAt } } : {}),
      score: round2(report.score),
      components: Object.fromEntries(
        Object.entries(report.components).map(([name, points]) => [name, round2(points)]),
      ),
      topContributors: report.topContributors.map((c) => ({ ...c, points: round2(c.points) })),
      history: report.history.map((p) => ({ ...p, score: round2(p.score) })),
    };
  }
}

/** Rankings: the closest customers, and the ones drifting away. */
@ApiTags('closeness')
@Controller('v1/closeness')
export class ClosenessRankingController {
  private readonly queries: ClosenessQueries;
  constructor(@Inject(CLOSENESS_READ_MODEL) model: ClosenessReadModel) {
    this.queries = new ClosenessQueries(model);
  }

  @Access.staff('agent')
  @Get('top')
  @ApiOperation({ summary: 'The closest customers, highest score first (O(log n + limit))' })
  @ApiQuery({ name: 'limit', required: false, description: '1–1000, default 20' })
  @ApiQuery({
    ...AS_OF,
    description: `${AS_OF.description}; a moment before the latest contact folds the customers contacted since then again (422 when more than 50,000)`,
  })
  @ApiOkResponse({ type: TopClosenessResponse })
  @ApiProblemResponse(400, 'problem details with field-level errors')
  @ApiProblemResponse(422, 'asOf too far back: too many customers to fold again')
  async top(@Query(new QueryPipe(TopClosenessQueryDto, toRankingQuery)) query: RankingQuery) {
    const { at, limit } = query;
    // As of now, the moment comes with the ranking (one read, never a fold again).
    const { asOfMs: asOf, items } =
      at === undefined
        ? await this.queries.topNow(limit, Date.now())
        : { asOfMs: at, items: await this.ranking(() => this.queries.top(limit, at)) };
    return {
      asOf: new Date(asOf).toISOString(),
      items: items.map((i) => ({ ...i, score: round2(i.score) })),
    };
  }

  @Access.staff('agent')
  @Get('at-risk')
  @ApiOperation({
    summary:
      'Customers who were close and have gone quiet: no contact within the window, the closest at its start first',
  })
  @ApiQuery({ name: 'window', required: false, description: '30d (default), 12h, P30D, PT12H' })
  @ApiQuery({ name: 'limit', required: false, description: '1–1000, default 20' })
  @ApiQuery({
    ...AS_OF,
    description: `${AS_OF.description}; a moment before the latest contact folds the customers contacted since then again (422 when more than 50,000)`,
  })
  @ApiOkResponse({ type: AtRiskClosenessResponse })
  @ApiProblemResponse(400, 'problem details with field-level errors')
  @ApiProblemResponse(422, 'asOf too far back: too many customers to fold again')
  async atRisk(@Query(new QueryPipe(AtRiskQueryDto, toAtRiskQuery)) query: AtRiskQuery) {
    const { windowMs } = query;
    const asOf = await this.moment(query.at);
    const items = await this.ranking(() => this.queries.atRisk(windowMs, query.limit, asOf));
    return {
      asOf: new Date(asOf).toISOString(),
      window: windowMs % DAY_MS === 0 ? `P${windowMs / DAY_MS}D` : `PT${windowMs / 3_600_000}H`,
      items: items.map((i) => ({
        ...i,
        score: round2(i.score),
        scoreAtWindowStart: round2(i.scoreAtWindowStart),
        drop: round2(i.drop),
      })),
    };
  }

  private moment(asOf: number | undefined): Promise<number> {
    return this.queries.rankingMoment(asOf, Date.now());
  }

  /** A ranking as of a moment too far back to fold again cheaply: 422 naming the bound. */
  private async ranking<T>(answer: () => Promise<T>): Promise<T> {
    try {
      return await answer();
    } catch (error) {
      if (error instanceof PastRankingTooCostlyError)
        throw new ProblemException(422, error.message, [{ path: 'asOf', message: error.message }]);
      throw error;
    }
  }
}
