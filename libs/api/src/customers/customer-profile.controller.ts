import { Controller, Get, Inject, Optional, Param } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type IdeaBacklog, type TimelineReadModel } from '@rapport/read-models';
import { validate as isUuid } from 'uuid';
import { ProblemException } from '../http/problem';
import { IDEA_BACKLOG } from '../ideas/idea-tokens';
import { ideasOfPerson, personIdea } from '../ideas/ideas-of-person';
import { TIMELINE_READ_MODEL } from '../platform/tokens';

/** A customer's profile: identities, channels, first and last contact, merge history, ideas. */
@ApiTags('customers')
@Controller('v1/customers')
export class CustomerProfileController {
  constructor(
    @Inject(TIMELINE_READ_MODEL) private readonly timelines: TimelineReadModel,
    /** The idea backlog, where the process has it (the query API and `rapport dev` do). */
    @Optional() @Inject(IDEA_BACKLOG) private readonly backlog?: IdeaBacklog,
  ) {}

  @Get(':id')
  @ApiOperation({ summary: 'A customer: identities, channels used, contacts, merge history' })
  @ApiParam({ name: 'id', description: 'customer id (UUID); a merged id answers for its survivor' })
  @ApiResponse({
    status: 200,
    description:
      '{ customerId, redirectedFrom?, identities, mergedCustomers, channels, touchpointsPerChannel, touchpoints, firstContact, lastContact, mergeHistory, openMergeSuggestions, ideas?: [{ ideaId, title, status, role, updatedAt }], timeline }',
  })
  @ApiResponse({ status: 404, description: 'no such customer' })
  async profile(@Param('id') customerId: string) {
    if (!isUuid(customerId))
      throw new ProblemException(400, `customer id ${customerId} is not a UUID`);
    const profile = await this.timelines.profile(customerId);
    if (!profile) throw new ProblemException(404, `no customer ${customerId}`);
    const ids = [profile.customerId, ...profile.mergedCustomers];
    const ideas = this.backlog
      ? (await ideasOfPerson(this.backlog, ids)).map((view) => personIdea(view, ids))
      : undefined;
    return {
      ...profile,
      ...(ideas ? { ideas } : {}),
      timeline: `/v1/customers/${profile.customerId}/timeline`,
    };
  }
}
