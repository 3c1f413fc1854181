import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { latestName, type QueuedMergeSuggestion, type SeenName } from '@rapport/domain';
import { type IdentityCommands } from '@rapport/application';
import { MAX_QUEUED_SUGGESTIONS, type TimelineReadModel } from '@rapport/read-models';
import { Access } from '../access/access-policy';
import { StaffCaller, type StaffPrincipal } from '../access/principal';
import { DtoPipe, QueryPipe } from '../http/dto.pipe';
import { IsWholeNumber, wholeNumber } from '../http/query-values';
import { CustomerIdPipe } from '../http/id-params';
import { ApiProblemResponse } from '../http/openapi-responses';
import { TIMELINE_READ_MODEL } from '../platform/tokens';
import { IDENTITY_COMMANDS } from './customer-tokens';
import { MergeCustomerDto } from './customer-dtos';
import { IdentityEventsResponse, MergeSuggestionResponse } from './customer-responses';
import { identityRefusalProblem } from './identity-problems';

/** `GET /v1/merge-suggestions?limit=`. */
export class SuggestionQueueQueryDto {
  @IsOptional()
  @IsWholeNumber(1, MAX_QUEUED_SUGGESTIONS)
  limit?: string;
}

export class SuggestionSideResponse {
  @ApiProperty({ description: 'the customer this side is now (its merge group’s survivor)' })
  customerId!: string;

  @ApiPropertyOptional({ description: 'the latest name any of its identities was seen with' })
  name?: string;
}

export class QueuedSuggestionResponse extends MergeSuggestionResponse {
  @ApiProperty({ type: () => SuggestionSideResponse })
  survivor!: SuggestionSideResponse;

  @ApiProperty({ type: () => SuggestionSideResponse })
  merged!: SuggestionSideResponse;
}

export class SuggestionQueueResponse {
  @ApiProperty({ type: () => QueuedSuggestionResponse, isArray: true })
  items!: QueuedSuggestionResponse[];
}

/** The queue of every open merge suggestion: what staff work through. */
@ApiTags('customers')
@Controller('v1/merge-suggestions')
export class MergeSuggestionQueueController {
  constructor(@Inject(TIMELINE_READ_MODEL) private readonly timelines: TimelineReadModel) {}

  @Access.staff('agent')
  @Get()
  @ApiOperation({ summary: 'Every open merge suggestion, oldest first, each side as it is now' })
  @ApiOkResponse({ type: SuggestionQueueResponse })
  @ApiProblemResponse(400, `bad limit (1–${MAX_QUEUED_SUGGESTIONS}, default 50)`)
  async queue(@Query(new QueryPipe(SuggestionQueueQueryDto)) query: SuggestionQueueQueryDto) {
    const queued = await this.timelines.openMergeSuggestions(wholeNumber(query.limit, 50));
    const names = await this.timelines.namesOf(
      queued.flatMap((q) => [...q.survivor.identityKeys, ...q.merged.identityKeys]),
    );
    const nameOf = (keys: readonly string[]) => latestName(keys.map((k) => names.get(k)));
    return { items: queued.map((q) => itemOf(q, nameOf)) };
  }
}

function itemOf(
  { suggestion, survivor, merged }: QueuedMergeSuggestion,
  nameOf: (keys: readonly string[]) => SeenName | undefined,
) {
  const side = (s: QueuedMergeSuggestion['survivor']) => {
    const name = nameOf(s.identityKeys);
    return { customerId: s.customerId, ...(name ? { name: name.name } : {}) };
  };
  return { ...suggestion, survivor: side(survivor), merged: side(merged) };
}

/** Dismissing a suggestion: staff decided the two are not one person. */
@ApiTags('customers')
@Controller('v1/customers')
export class MergeSuggestionCommandsController {
  constructor(@Inject(IDENTITY_COMMANDS) private readonly commands: IdentityCommands) {}

  @Access.staff('supervisor')
  @Post(':id/merge-suggestions/dismiss')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Dismiss the open merge suggestion between this customer and another',
  })
  @ApiParam({ name: 'id', description: 'one side of the suggestion' })
  @ApiBody({ type: MergeCustomerDto, description: '`customerId`: the other side' })
  @ApiAcceptedResponse({ type: IdentityEventsResponse, description: 'the dismissal recorded' })
  @ApiProblemResponse(400, 'bad id or body')
  @ApiProblemResponse(404, 'unknown customer')
  @ApiProblemResponse(409, 'no open suggestion between them (dismissed, merged, kept apart)')
  async dismiss(
    @Param('id', CustomerIdPipe) customerId: string,
    @Body(new DtoPipe(MergeCustomerDto)) dto: MergeCustomerDto,
    @StaffCaller() caller: StaffPrincipal,
  ) {
    const decision = await this.commands.dismissSuggestion(
      customerId,
      dto.customerId,
      { kind: 'staff', staffId: caller.subject },
      new Date().toISOString(),
      dto.note,
    );
    if (!decision.ok) throw identityRefusalProblem(decision.errors);
    return { events: decision.value.events };
  }
}
