import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CHANNELS,
  type Channel,
  IDEA_STATUSES,
  IdeaLimits,
  type IdeaOrigin,
  type IdeaStatus,
} from '@rapport/domain';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

/** Who acts: a staff member, or the touchpoint a customer sent (adapters). */
class ActorDto {
  @ApiPropertyOptional({ description: 'the staff member acting (on the customer’s behalf)' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  staffId?: string;

  @ApiPropertyOptional({ description: 'log event id of the touchpoint this came in with' })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  touchpointEventId?: string;

  @ApiPropertyOptional({ enum: CHANNELS, description: 'the touchpoint’s channel' })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ description: 'fail with 409 unless the idea is at this stream revision' })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedRevision?: number;
}

export class SubmitIdeaDto extends ActorDto {
  @ApiPropertyOptional({
    description:
      'a UUID chosen by the client, generated otherwise; a retry with the same id answers 409 idea-exists, so the client knows it is there',
  })
  @IsOptional()
  @IsUUID()
  ideaId?: string;

  @ApiProperty({ maxLength: IdeaLimits.titleLength, example: 'Dark mode in the app' })
  @IsString()
  @Length(1, IdeaLimits.titleLength)
  title!: string;

  @ApiPropertyOptional({ maxLength: IdeaLimits.descriptionLength })
  @IsOptional()
  @IsString()
  @MaxLength(IdeaLimits.descriptionLength)
  description?: string;

  @ApiProperty({ description: 'the customer whose idea it is' })
  @IsString()
  @Length(1, 128)
  customerId!: string;
}

export class VoteDto extends ActorDto {
  @ApiProperty({ description: 'the customer who supports the idea' })
  @IsString()
  @Length(1, 128)
  customerId!: string;
}

export class CommentDto {
  @ApiProperty({ maxLength: IdeaLimits.commentLength })
  @IsString()
  @Length(1, IdeaLimits.commentLength)
  text!: string;

  @ApiPropertyOptional({ description: 'a customer’s comment (exactly one of customerId, staffId)' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  customerId?: string;

  @ApiPropertyOptional({ description: 'a staff member’s comment' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  staffId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
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
  @IsOptional()
  @IsString()
  @MaxLength(IdeaLimits.reasonLength)
  reason?: string;

  @ApiProperty()
  @IsString()
  @Length(1, 128)
  staffId!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedRevision?: number;
}

export class MergeDto {
  @ApiProperty({ description: 'the idea this one (a duplicate) is merged into' })
  @IsString()
  @Length(1, 128)
  intoIdeaId!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 128)
  staffId!: string;

  @ApiPropertyOptional({ description: 'the duplicate’s expected revision' })
  @IsOptional()
  @IsInt()
  @Min(0)
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

  @ApiProperty()
  @IsString()
  @Length(1, 128)
  staffId!: string;
}

/** The origin an actor DTO names, or a field error message. */
export function originOf(dto: ActorDto): IdeaOrigin | string {
  if (dto.touchpointEventId !== undefined || dto.channel !== undefined) {
    if (dto.touchpointEventId === undefined || dto.channel === undefined)
      return 'touchpointEventId and channel go together';
    if (dto.staffId !== undefined) return 'give either staffId or touchpointEventId, not both';
    return { kind: 'touchpoint', touchpointEventId: dto.touchpointEventId, channel: dto.channel };
  }
  if (dto.staffId === undefined)
    return 'give staffId (staff acting) or touchpointEventId and channel';
  return { kind: 'staff', staffId: dto.staffId };
}
