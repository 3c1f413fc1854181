import { Controller, Get, Inject, Optional, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { customerIdFor, customerStreamId } from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import {
  type ClosenessReadModel,
  ClosenessQueries,
  type IdeaBacklog,
  type TimelineReadModel,
} from '@rapport/read-models';
import { Access } from '../access/access-policy';
import { CustomerIdPipe } from '../http/id-params';
import { ApiProblemResponse } from '../http/openapi-responses';
import { ProblemException } from '../http/problem';
import { IDEA_BACKLOG } from '../ideas/idea-tokens';
import { ideasOfPerson, personIdea } from '../ideas/ideas-of-person';
import { CLOSENESS_READ_MODEL, EVENT_STORE, TIMELINE_READ_MODEL } from '../platform/tokens';
import { SubjectAccessResponse } from './customer-responses';

/**
 * Subject access (GDPR art. 15): everything Rapport holds about one person, as one JSON
 * document — the profile, every event filed under any of their identities (merged customers
 * included), the closeness report and their ideas.
 */
@ApiTags('customers')
@Controller('v1/customers')
export class SubjectAccessController {
  constructor(
    @Inject(TIMELINE_READ_MODEL) private readonly timelines: TimelineReadModel,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() @Inject(CLOSENESS_READ_MODEL) private readonly closeness?: ClosenessReadModel,
    @Optional() @Inject(IDEA_BACKLOG) private readonly backlog?: IdeaBacklog,
  ) {}

  @Access.staff('supervisor')
  @Get(':id/export')
  @ApiOperation({
    summary: 'Everything held about the person (subject access): profile, events, closeness, ideas',
  })
  @ApiParam({ name: 'id', description: 'customer id (UUID); a merged id answers for its survivor' })
  @ApiOkResponse({ type: SubjectAccessResponse })
  @ApiProblemResponse(400, 'bad id')
  @ApiProblemResponse(404, 'no such customer')
  async export(@Param('id', CustomerIdPipe) id: string) {
    const profile = await this.timelines.profile(id);
    if (!profile) throw new ProblemException(404, `no customer ${id}`);
    const customerIds = [profile.customerId, ...profile.mergedCustomers];
    // Every touchpoint is appended to the stream of the customer its primary identity first
    // named: reading the stream of each identity the person holds finds all of them.
    const streams = new Set(
      profile.identities.map((identity) => customerStreamId(customerIdFor(identity))),
    );
    const events = (await Promise.all([...streams].map((s) => this.store.readStream(s))))
      .flat()
      .sort((a, b) => a.position - b.position)
      .map((event) => ({
        position: event.position,
        id: event.id,
        type: event.type,
        recordedAt: event.recordedAt,
        data: event.data,
        metadata: event.metadata,
      }));
    const closeness = this.closeness
      ? await new ClosenessQueries(this.closeness).customer(profile.customerId, Date.now(), {
          days: 365,
        })
      : null;
    const ideas = this.backlog
      ? (await ideasOfPerson(this.backlog, customerIds)).map((view) =>
          personIdea(view, customerIds),
        )
      : [];
    return {
      customerId: profile.customerId,
      generatedAt: new Date().toISOString(),
      profile,
      events,
      closeness: closeness ?? null,
      ideas,
    };
  }
}
