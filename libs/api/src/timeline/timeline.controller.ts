import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { identityKey, parseTimelineQuery, type TimelineQueryParams } from '@rapport/domain';
import { type TimelineReadModel } from '@rapport/read-models';
import { validate as isUuid } from 'uuid';
import { type RapportConfig } from '../config/rapport-config';
import { ProblemException } from '../http/problem';
import { RAPPORT_CONFIG, TIMELINE_READ_MODEL } from '../platform/tokens';
import { parseIdentityParam } from './identity-param';

const TIMELINE_PARAMS = ['channel', 'direction', 'type', 'from', 'to', 'limit', 'cursor'];

/** What support staff read: a customer's unified timeline, and customers by identity. */
@Controller('v1/customers')
export class TimelineController {
  constructor(
    @Inject(TIMELINE_READ_MODEL) private readonly timelines: TimelineReadModel,
    @Inject(RAPPORT_CONFIG) private readonly config: RapportConfig,
  ) {}

  @Get()
  async findByIdentity(@Query() params: Record<string, string>) {
    refuseUnknown(params, ['identity']);
    const identity = parseIdentityParam(params.identity, this.config.defaultPhoneRegion);
    if (!identity.ok) throw new ProblemException(400, 'bad identity', identity.errors);
    const key = identityKey(identity.value);
    const customerId = await this.timelines.customerByIdentity(key);
    if (!customerId) throw new ProblemException(404, `no customer has the identity ${key}`);
    return {
      customerId,
      identity: identity.value,
      timeline: `/v1/customers/${customerId}/timeline`,
    };
  }

  @Get(':id/timeline')
  async timeline(@Param('id') customerId: string, @Query() params: Record<string, string>) {
    if (!isUuid(customerId))
      throw new ProblemException(400, `customer id ${customerId} is not a UUID`);
    refuseUnknown(params, TIMELINE_PARAMS);
    const query = parseTimelineQuery(params as TimelineQueryParams);
    if (!query.ok) throw new ProblemException(400, 'bad timeline query', query.errors);
    const page = await this.timelines.page(customerId, query.value);
    return { customerId, ...page };
  }
}

function refuseUnknown(params: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(params).filter((k) => !allowed.includes(k));
  if (unknown.length) {
    throw new ProblemException(
      400,
      `unknown query parameter ${unknown.join(', ')}`,
      unknown.map((path) => ({
        path,
        message: `not a parameter of this endpoint; allowed: ${allowed.join(', ')}`,
      })),
    );
  }
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== 'string')
      throw new ProblemException(400, `query parameter ${key} is given more than once`);
  }
}
