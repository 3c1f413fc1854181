import { ApiExtraModels, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNELS, type Channel, IDEA_STATUSES, type IdeaStatus } from '@rapport/domain';
import { StaffActorResponse } from '../customers/customer-responses';
import { oneOfModels } from '../http/openapi-responses';

const STATUS = { enum: IDEA_STATUSES };

/** What every idea command answers. */
export class IdeaCommandResponse {
  @ApiProperty({ description: 'the idea (for a merge: the survivor)' })
  ideaId!: string;

  @ApiProperty({
    type: 'integer',
    description: 'the stream revision after the command (the next `expectedRevision`)',
  })
  revision!: number;

  @ApiProperty({
    type: 'integer',
    description: 'the log position of the last event written (0 when nothing was written)',
  })
  position!: number;
}

export class IdeaCommentedResponse extends IdeaCommandResponse {
  @ApiProperty()
  commentId!: string;
}

/** A `RiceScore`. */
export class RiceResponse {
  @ApiProperty()
  reach!: number;

  @ApiProperty()
  impact!: number;

  @ApiProperty()
  confidence!: number;

  @ApiProperty()
  effort!: number;
}

const ERASED_TITLE = {
  type: String,
  nullable: true,
  description: 'null once the submitter was erased (forgotten at their request)',
} as const;

/** A `BacklogItem`. */
export class BacklogItemResponse {
  @ApiProperty()
  ideaId!: string;

  @ApiProperty(ERASED_TITLE)
  title!: string | null;

  @ApiProperty(STATUS)
  status!: IdeaStatus;

  @ApiProperty({ type: 'integer', description: 'distinct surviving customers supporting it' })
  votes!: number;

  @ApiProperty({ description: 'by the `priority` mode' })
  priority!: number;

  @ApiProperty({ type: 'integer', description: 'distinct supporters in the trend window' })
  trend!: number;

  @ApiPropertyOptional({ type: () => RiceResponse })
  rice?: RiceResponse;

  @ApiProperty({ format: 'date-time' })
  submittedAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: [String] })
  mergedFrom!: string[];
}

/** A `BacklogPage`. */
export class BacklogPageResponse {
  @ApiProperty({ type: () => BacklogItemResponse, isArray: true })
  items!: BacklogItemResponse[];

  @ApiProperty({ type: 'integer', description: 'matching ideas, before paging' })
  total!: number;
}

export class CustomerIdeaResponse extends BacklogItemResponse {
  @ApiProperty({ enum: ['submitter', 'supporter'] })
  role!: 'submitter' | 'supporter';
}

export class CustomerIdeasResponse {
  @ApiProperty()
  customerId!: string;

  @ApiProperty({ type: () => CustomerIdeaResponse, isArray: true })
  items!: CustomerIdeaResponse[];
}

export class TouchpointOriginResponse {
  @ApiProperty({ enum: ['touchpoint'] })
  kind!: 'touchpoint';

  @ApiProperty({ description: 'log event id of the touchpoint' })
  touchpointEventId!: string;

  @ApiProperty({ enum: CHANNELS })
  channel!: Channel;
}

export class CustomerAuthorResponse {
  @ApiProperty({ enum: ['customer'] })
  kind!: 'customer';

  @ApiProperty({ description: 'the customer; an anonymous token (`anonymous-…`) once erased' })
  customerId!: string;
}

const ORIGIN = oneOfModels(TouchpointOriginResponse, StaffActorResponse);

/** An `IdeaVote`. */
@ApiExtraModels(TouchpointOriginResponse, StaffActorResponse)
export class IdeaVoteResponse {
  @ApiProperty({
    description:
      'the customer as known when they voted; for a customer since erased, an anonymous supporter (`anonymous-…`, one per person and idea), still counted',
  })
  customerId!: string;

  @ApiProperty(ORIGIN)
  origin!: TouchpointOriginResponse | StaffActorResponse;

  @ApiProperty({ format: 'date-time' })
  at!: string;
}

/** An `IdeaComment`. */
@ApiExtraModels(CustomerAuthorResponse, StaffActorResponse)
export class IdeaCommentResponse {
  @ApiProperty()
  commentId!: string;

  @ApiProperty(oneOfModels(CustomerAuthorResponse, StaffActorResponse))
  author!: CustomerAuthorResponse | StaffActorResponse;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'null once its customer author was erased',
  })
  text!: string | null;

  @ApiPropertyOptional({ type: Boolean, enum: [true], description: 'set when the text was erased' })
  erased?: true;

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiPropertyOptional({ description: 'the idea it was written on, when it moved with a merge' })
  movedFrom?: string;
}

/** An `IdeaHistoryEntry`. */
export class IdeaHistoryEntryResponse {
  @ApiProperty(STATUS)
  status!: IdeaStatus;

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiPropertyOptional()
  staffId?: string;

  @ApiPropertyOptional()
  reason?: string;
}

/** An `IdeaView`, with its counts and supporters. */
@ApiExtraModels(TouchpointOriginResponse, StaffActorResponse)
export class IdeaDetailResponse {
  @ApiProperty()
  ideaId!: string;

  @ApiPropertyOptional({ description: 'the id asked for, when it was merged into `ideaId`' })
  redirectedFrom?: string;

  @ApiProperty(ERASED_TITLE)
  title!: string | null;

  @ApiPropertyOptional({ description: 'absent once the submitter was erased' })
  description?: string;

  @ApiPropertyOptional({
    type: Boolean,
    enum: [true],
    description: 'set once the submitter was erased: their title and description are gone',
  })
  erased?: true;

  @ApiProperty(STATUS)
  status!: IdeaStatus;

  @ApiPropertyOptional()
  declineReason?: string;

  @ApiProperty({
    description:
      'the submitting customer; once erased, the anonymous supporter they are on this idea (`anonymous-…`)',
  })
  submittedBy!: string;

  @ApiProperty(ORIGIN)
  origin!: TouchpointOriginResponse | StaffActorResponse;

  @ApiProperty({ format: 'date-time' })
  submittedAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: () => IdeaVoteResponse, isArray: true })
  votes!: IdeaVoteResponse[];

  @ApiProperty({ type: () => IdeaCommentResponse, isArray: true })
  comments!: IdeaCommentResponse[];

  @ApiProperty({ type: () => IdeaHistoryEntryResponse, isArray: true })
  history!: IdeaHistoryEntryResponse[];

  @ApiPropertyOptional()
  mergedInto?: string;

  @ApiProperty({ type: [String] })
  mergedFrom!: string[];

  @ApiPropertyOptional({ type: () => RiceResponse })
  rice?: RiceResponse;

  @ApiProperty({ type: 'integer', description: 'log position of the last event applied' })
  position!: number;

  @ApiProperty({ type: 'integer', description: 'distinct surviving customers supporting it' })
  voteCount!: number;

  @ApiProperty({ type: 'integer', description: 'supporters in the last 30 days' })
  trend!: number;

  @ApiProperty({
    type: [String],
    description:
      'the supporters’ surviving customer ids, sorted; an erased one as an anonymous token (`anonymous-…`)',
  })
  supporters!: string[];
}
