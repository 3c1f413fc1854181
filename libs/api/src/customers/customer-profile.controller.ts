import { Controller, Get, Inject, Optional, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type IdeaBacklog, type TimeTravel, type TimelineReadModel } from '@rapport/read-models';
import { QueryPipe } from '../http/dto.pipe';
import { CustomerIdPipe } from '../http/id-params';
import { ApiProblemResponse } from '../http/openapi-responses';
import { ProblemException } from '../http/problem';
import { IDEA_BACKLOG } from '../ideas/idea-tokens';
import { ideasOfPerson, personIdea } from '../ideas/ideas-of-person';
import { TIMELINE_READ_MODEL } from '../platform/tokens';
import { AS_OF_QUERY, asOfField, resolveAsOfParam } from '../time-travel/as-of-param';
import { TIME_TRAVEL } from '../time-travel/time-travel-tokens';
import { ProfileQueryDto } from '../timeline/timeline-queries';
import { identityKey, latestName } from '@rapport/domain';
import { CustomerProfileResponse } from './customer-responses';
import { Access } from '../access/access-policy';

/** A customer's profile: identities, channels, first and last contact, merge history, ideas. */
@ApiTags('customers')
@Controller('v1/customers')
export class CustomerProfileController {
  constructor(
    @Inject(TIMELINE_READ_MODEL) private readonly timelines: TimelineReadModel,
    @Inject(TIME_TRAVEL) private readonly timeTravel: TimeTravel | null,
    /** The idea backlog, where the process has it (the query API and `rapport dev` do). */
    @Optional() @Inject(IDEA_BACKLOG) private readonly backlog?: IdeaBacklog,
  ) {}

  @Access.staff('agent')
  @Get(':id')
  @ApiOperation({ summary: 'A customer: identities, channels used, contacts, merge history' })
  @ApiParam({ name: 'id', description: 'customer id (UUID); a merged id answers for its survivor' })
  @ApiQuery(AS_OF_QUERY)
  @ApiOkResponse({
    type: CustomerProfileResponse,
    description:
      'with asOf, everything as of then, and no ideas (the backlog is not kept over time)',
  })
  @ApiProblemResponse(400, 'bad id or asOf (problem details)')
  @ApiProblemResponse(404, 'no such customer (then, with asOf)')
  async profile(
    @Param('id', CustomerIdPipe) customerId: string,
    @Query(new QueryPipe(ProfileQueryDto)) query: ProfileQueryDto,
  ) {
    const asOf = await resolveAsOfParam(this.timeTravel, query.asOf, () =>
      this.timelines.checkpoint(),
    );
    const profile = await this.timelines.profile(customerId, asOf);
    if (!profile)
      throw new ProblemException(
        404,
        asOf
          ? `no customer ${customerId} as of log position ${asOf.position}`
          : `no customer ${customerId}`,
      );
    const ids = [profile.customerId, ...profile.mergedCustomers];
    // The latest name any of their identities was seen with (now: names are not kept over
    // time), and their ideas: asked together.
    const [names, ideaViews] = await Promise.all([
      asOf ? undefined : this.timelines.namesOf(profile.identities.map(identityKey)),
      this.backlog && !asOf ? ideasOfPerson(this.backlog, ids) : undefined,
    ]);
    const name = names && latestName(names.values());
    const ideas = ideaViews?.map((view) => personIdea(view, ids));
    return {
      ...profile,
      ...(name ? { name: name.name, nameSeenAt: name.occurredAt } : {}),
      ...(ideas ? { ideas } : {}),
      timeline: `/v1/customers/${profile.customerId}/timeline${asOf ? `?asOf=${asOf.position}` : ''}`,
      ...asOfField(asOf),
    };
  }
}
