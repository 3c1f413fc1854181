import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type TimeTravel, type TimelineReadModel } from '@rapport/read-models';
import { type RapportConfig } from '../config/rapport-config';
import { DtoPipe, QueryPipe } from '../http/dto.pipe';
import { CustomerIdPipe } from '../http/id-params';
import { ApiProblemResponse } from '../http/openapi-responses';
import { ProblemException } from '../http/problem';
import { RAPPORT_CONFIG, TIMELINE_READ_MODEL } from '../platform/tokens';
import { AS_OF_QUERY, asOfField, resolveAsOfParam } from '../time-travel/as-of-param';
import { TIME_TRAVEL } from '../time-travel/time-travel-tokens';
import { IdentityPseudonyms } from '../platform/identity-pseudonyms';
import { parseIdentityParam } from '@rapport/domain';
import {
  CustomerLookupDto,
  FindCustomerQueryDto,
  TimelineQueryDto,
  type TimelineRequest,
  toTimelineRequest,
} from './timeline-queries';
import { CustomerByIdentityResponse, TimelinePageResponse } from './timeline-responses';
import { Access } from '../access/access-policy';

/** What support staff read: a customer's unified timeline, and customers by identity. */
@ApiTags('customers')
@Controller('v1/customers')
export class TimelineController {
  constructor(
    @Inject(TIMELINE_READ_MODEL) private readonly timelines: TimelineReadModel,
    @Inject(RAPPORT_CONFIG) private readonly config: RapportConfig,
    @Inject(TIME_TRAVEL) private readonly timeTravel: TimeTravel | null,
    private readonly pseudonyms: IdentityPseudonyms,
  ) {}

  @Access.staff('agent')
  @Get()
  @ApiOperation({
    summary:
      'Find the customer an identity belongs to (prefer POST /v1/customers/lookup: no identity in the URL)',
  })
  @ApiQuery({
    name: 'identity',
    example: 'email:ann@example.com',
    description: 'kind:value (social: social:network:handle); normalised like on ingestion',
  })
  @ApiQuery(AS_OF_QUERY)
  @ApiOkResponse({ type: CustomerByIdentityResponse })
  @ApiProblemResponse(400, 'bad identity or asOf (problem details)')
  @ApiProblemResponse(404, 'no customer has this identity (had, with asOf)')
  findByIdentity(@Query(new QueryPipe(FindCustomerQueryDto)) params: FindCustomerQueryDto) {
    return this.lookUp(params.identity, params.asOf);
  }

  @Access.staff('agent')
  @Post('lookup')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Find the customer an identity belongs to, the identity in the body (kept out of URLs and access logs)',
  })
  @ApiBody({ type: CustomerLookupDto })
  @ApiOkResponse({ type: CustomerByIdentityResponse })
  @ApiProblemResponse(400, 'bad identity or asOf (problem details)')
  @ApiProblemResponse(404, 'no customer has this identity (had, with asOf)')
  lookup(@Body(new DtoPipe(CustomerLookupDto)) body: CustomerLookupDto) {
    return this.lookUp(body.identity, body.asOf);
  }

  private async lookUp(raw: string | undefined, asOfParam: string | undefined) {
    const identity = parseIdentityParam(raw, this.config.defaultPhoneRegion);
    if (!identity.ok) throw new ProblemException(400, 'bad identity', identity.errors);
    const asOf = await this.asOf(asOfParam);
    const key = this.pseudonyms.keyOf(identity.value);
    const customerId = await this.timelines.customerByIdentity(key, asOf);
    if (!customerId)
      throw new ProblemException(
        404,
        asOf
          ? `no customer had this identity as of log position ${asOf.position}`
          : 'no customer has this identity',
      );
    return {
      customerId,
      identity: identity.value,
      timeline: `/v1/customers/${customerId}/timeline${asOf ? `?asOf=${asOf.position}` : ''}`,
      ...asOfField(asOf),
    };
  }

  @Access.staff('agent')
  @Get(':id/timeline')
  @ApiOperation({ summary: "A customer's unified timeline, newest first" })
  @ApiParam({ name: 'id', description: 'customer id (UUID)' })
  @ApiQuery({ name: 'channel', required: false, example: 'email,chat' })
  @ApiQuery({ name: 'direction', required: false, enum: ['inbound', 'outbound'] })
  @ApiQuery({ name: 'type', required: false, example: 'touchpoint.recorded' })
  @ApiQuery({ name: 'from', required: false, description: 'inclusive, ISO 8601' })
  @ApiQuery({ name: 'to', required: false, description: 'exclusive, ISO 8601' })
  @ApiQuery({ name: 'limit', required: false, description: '1–500, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery(AS_OF_QUERY)
  @ApiOkResponse({ type: TimelinePageResponse, description: 'one page, newest first' })
  @ApiProblemResponse(400, 'problem details with field-level errors')
  async timeline(
    @Param('id', CustomerIdPipe) customerId: string,
    @Query(new QueryPipe(TimelineQueryDto, toTimelineRequest)) request: TimelineRequest,
  ) {
    const asOf = await this.asOf(request.asOf);
    // A merged id answers for its survivor (the page is the survivor's unified timeline).
    const [resolved, page] = await Promise.all([
      this.timelines.resolveCustomer(customerId, asOf),
      this.timelines.page(customerId, request.query, asOf),
    ]);
    const survivor = resolved ?? customerId;
    return {
      customerId: survivor,
      ...(survivor === customerId ? {} : { redirectedFrom: customerId }),
      ...page,
      ...asOfField(asOf),
    };
  }

  private asOf(raw: string | undefined) {
    return resolveAsOfParam(this.timeTravel, raw, () => this.timelines.checkpoint());
  }
}
