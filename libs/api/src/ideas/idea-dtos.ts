import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  BACKLOG_SORTS,
  type BacklogQuery,
  type BacklogSort,
  CHANNELS,
  type Channel,
  IDEA_STATUSES,
  IdeaLimits,
  type IdeaOrigin,
  type IdeaStatus,
  isIdeaStatus,
  OptionalField,
  PRIORITY_MODES,
  type PriorityMode,
} from '@rapport/domain';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import { IsId } from '../http/id-params';
import { IsWholeNumber, wholeNumber } from '../http/query-values';

/** A stream revision a client expects (beyond any real one, but exact as a JSON number). */
const MAX_REVISION = Number.MAX_SAFE_INTEGER;

/** Who acts: a staff member, or the touchpoint a customer sent (adapters). */
class ActorDto {
  @ApiPropertyOptional({
    deprecated: true,
    description: 'ignored: the staff member is the token’s subject',
  })
  @OptionalField()
  @IsString()
  @Length(1, 128)
  staffId?: string;

  @ApiPropertyOptional({ description: 'log event id of the touchpoint this came in with' })
  @OptionalField()
  @IsString()
  @Length(1, 256)
  touchpointEventId?: string;

  @ApiPropertyOptional({ enum: CHANNELS, description: 'the touchpoint’s channel' })
  @OptionalField()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ description: 'fail with 409 unless the idea is at this stream revision' })
  @OptionalField()
  @IsInt()
  @Min(0)
  @Max(MAX_REVISION)
  expectedRevision?: number;
}

export class SubmitIdeaDto extends ActorDto {
  @ApiPropertyOptional({
    description:
      'a UUID chosen by the client, generated otherwise; a retry with the same id answers 409 idea-exists, so the client knows it is there',
  })
  @OptionalField()
  @IsUUID()
  ideaId?: string;

  @ApiProperty({ maxLength: IdeaLimits.titleLength, example: 'Dark mode in the app' })
  @IsString()
  @Length(1, IdeaLimits.titleLength)
  title!: string;

  @ApiPropertyOptional({ maxLength: IdeaLimits.descriptionLength })
  @OptionalField()
  @IsString()
  @MaxLength(IdeaLimits.descriptionLength)
  description?: string;

  @ApiProperty({ description: 'the customer whose idea it is' })
  @IsId()
  customerId!: string;
}

export class VoteDto extends ActorDto {
  @ApiProperty({ description: 'the customer who supports the idea' })
  @IsId()
  customerId!: string;
}

export class CommentDto {
  @ApiProperty({ maxLength: IdeaLimits.commentLength })
  @IsString()
  @Length(1, IdeaLimits.commentLength)
  text!: string;

  @ApiPropertyOptional({ description: 'a customer’s comment; without it, the caller’s own' })
  @OptionalField()
  @IsId()
  customerId?: string;

  @ApiPropertyOptional({
    deprecated: true,
    description: 'ignored: the staff member is the token’s subject',
  })
  @OptionalField()
  @IsString()
  @Length(1, 128)
  staffId?: string;

  @ApiPropertyOptional()
  @OptionalField()
  @IsInt()
  @Min(0)
  @Max(MAX_REVISION)
  expectedRevision?: number;
}

export class ChangeStatusDto {
  @ApiProperty({ enum: IDEA_STATUSES })
  @IsIn(IDEA_STATUSES)
  to!: IdeaStatus;

  @ApiPropertyOptional({
    description: 'required when declining',
    maxLength: IdeaLimits.reasonLength,
  })
  @OptionalField()
  @IsString()
  @MaxLength(IdeaLimits.reasonLength)
  reason?: string;

  @ApiPropertyOptional({
    deprecated: true,
    description: 'ignored: the staff member is the token’s subject',
  })
  @OptionalField()
  @IsString()
  @Length(1, 128)
  staffId?: string;

  @ApiPropertyOptional()
  @OptionalField()
  @IsInt()
  @Min(0)
  @Max(MAX_REVISION)
  expectedRevision?: number;
}

export class MergeDto {
  @ApiProperty({ description: 'the idea this one (a duplicate) is merged into' })
  @IsId()
  intoIdeaId!: string;

  @ApiPropertyOptional({
    deprecated: true,
    description: 'ignored: the staff member is the token’s subject',
  })
  @OptionalField()
  @IsString()
  @Length(1, 128)
  staffId?: string;

  @ApiPropertyOptional({ description: 'the duplicate’s expected revision' })
  @OptionalField()
  @IsInt()
  @Min(0)
  @Max(MAX_REVISION)
  expectedRevision?: number;
}

export class RiceDto {
  @ApiProperty({ description: 'people reached per period' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  reach!: number;

  @ApiProperty({ description: 'e.g. 0.25, 0.5, 1, 2, 3' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  impact!: number;

  @ApiProperty({ minimum: 0, maximum: 1 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  confidence!: number;

  @ApiProperty({ description: 'person-months, > 0' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.000001)
  effort!: number;

  @ApiPropertyOptional({
    deprecated: true,
    description: 'ignored: the staff member is the token’s subject',
  })
  @OptionalField()
  @IsString()
  @Length(1, 128)
  staffId?: string;
}

/** The origin an actor DTO names, or a field error message. */
export function originOf(dto: ActorDto, staffSubject: string): IdeaOrigin | string {
  if (dto.touchpointEventId !== undefined || dto.channel !== undefined) {
    if (dto.touchpointEventId === undefined || dto.channel === undefined)
      return 'touchpointEventId and channel go together';
    if (dto.staffId !== undefined) return 'give either staffId or touchpointEventId, not both';
    return { kind: 'touchpoint', touchpointEventId: dto.touchpointEventId, channel: dto.channel };
  }
  // The staff member is the caller (the token's subject), whatever `staffId` the body names.
  return { kind: 'staff', staffId: staffSubject };
}

/** The statuses of a comma-separated list that are not idea statuses. */
const unknownStatuses = (raw: string) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => !isIdeaStatus(s));

/** `status=new,under_review`: idea statuses, comma-separated (empty: any). */
function IsIdeaStatusList() {
  return ValidateBy({
    name: 'isIdeaStatusList',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && (value === '' || unknownStatuses(value).length === 0),
      defaultMessage: (args) =>
        `${typeof args?.value === 'string' ? unknownStatuses(args.value).join(', ') : String(args?.value)} is not one of ${IDEA_STATUSES.join(', ')}`,
    },
  });
}

/** `GET /v1/ideas`: the backlog's filters, ranking and paging. */
export class BacklogQueryDto {
  @IsOptional()
  @IsIdeaStatusList()
  status?: string;

  @IsOptional()
  @IsIn(BACKLOG_SORTS, { message: `one of ${BACKLOG_SORTS.join(', ')}` })
  sort?: string;

  @IsOptional()
  @IsIn(PRIORITY_MODES, { message: `one of ${PRIORITY_MODES.join(', ')}` })
  priority?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200, { message: 'at most 200 characters' })
  q?: string;

  @IsOptional()
  @IsWholeNumber(1, 365)
  trendDays?: string;

  @IsOptional()
  @IsWholeNumber(1, 200)
  limit?: string;

  @IsOptional()
  @IsWholeNumber(0, 1_000_000)
  offset?: string;
}

export function toBacklogQuery(dto: BacklogQueryDto): BacklogQuery {
  return {
    ...(dto.status ? { statuses: dto.status.split(',').map((s) => s.trim()) as IdeaStatus[] } : {}),
    ...(dto.q ? { q: dto.q } : {}),
    sort: (dto.sort ?? 'priority') as BacklogSort,
    priority: (dto.priority ?? 'count') as PriorityMode,
    trendDays: wholeNumber(dto.trendDays, 30),
    limit: wholeNumber(dto.limit, 50),
    offset: wholeNumber(dto.offset, 0),
  };
}

/** `DELETE /v1/ideas/:id/votes/:customerId`: the caller withdraws it (`staffId` is ignored). */
export class WithdrawVoteQueryDto {
  @OptionalField()
  @Matches(/^[\s\S]{1,128}$/, { message: 'staffId is 1–128 characters (and ignored)' })
  staffId?: string;
}
