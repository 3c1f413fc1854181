import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CHANNELS,
  type Channel,
  DIRECTIONS,
  type Direction,
  IDENTITY_KINDS,
  type IdentityKind,
} from '@rapport/domain';
import { LogAsOfResponse } from '../time-travel/time-travel-responses';

/** A `ChannelIdentity`, normalised. */
export class ChannelIdentityResponse {
  @ApiProperty({ enum: IDENTITY_KINDS })
  kind!: IdentityKind;

  @ApiProperty({ example: 'ann@example.com' })
  value!: string;

  @ApiPropertyOptional({ description: 'only for `social`: the network the handle lives on' })
  network?: string;

  @ApiPropertyOptional({ description: 'whether the channel verified the identity' })
  verified?: boolean;
}

export class TimelineAgentResponse {
  @ApiProperty()
  id!: string;

  @ApiPropertyOptional()
  name?: string;
}

export class TimelineSurveyResponse {
  @ApiProperty({ example: 'nps' })
  kind!: string;

  @ApiProperty()
  score!: number;
}

/** A `TimelineEntry`. */
export class TimelineEntryResponse {
  @ApiProperty()
  eventId!: string;

  @ApiProperty({ type: 'integer', description: 'log position' })
  position!: number;

  @ApiProperty({ description: 'the customer the touchpoint was filed under when it came in' })
  customerId!: string;

  @ApiProperty({ format: 'date-time', description: 'when it happened; the timeline order' })
  occurredAt!: string;

  @ApiProperty({
    description: 'the event name without its version',
    example: 'touchpoint.recorded',
  })
  type!: string;

  @ApiProperty({ enum: CHANNELS })
  channel!: Channel;

  @ApiProperty({ enum: DIRECTIONS })
  direction!: Direction;

  @ApiProperty({ type: () => ChannelIdentityResponse })
  identity!: ChannelIdentityResponse;

  @ApiProperty({ description: 'CloudEvents `source` of the adapter' })
  source!: string;

  @ApiPropertyOptional()
  subject?: string;

  @ApiPropertyOptional({ description: 'the start of the text, at most 280 characters' })
  excerpt?: string;

  @ApiPropertyOptional()
  sentiment?: number;

  @ApiPropertyOptional()
  conversationId?: string;

  @ApiPropertyOptional({ type: () => TimelineAgentResponse })
  agent?: TimelineAgentResponse;

  @ApiPropertyOptional({ type: () => TimelineSurveyResponse })
  survey?: TimelineSurveyResponse;
}

/** Who an answer is about: the survivor of a merge, and the id asked for when it was merged. */
export class CustomerRedirectResponse {
  @ApiProperty({ description: 'the survivor, when the id asked for was merged' })
  customerId!: string;

  @ApiPropertyOptional({ description: 'the id asked for, when it was merged into `customerId`' })
  redirectedFrom?: string;
}

export class TimelinePageResponse extends CustomerRedirectResponse {
  @ApiProperty({ type: () => TimelineEntryResponse, isArray: true })
  items!: TimelineEntryResponse[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'pass it back as `cursor` for the next (older) page; null at the end',
  })
  nextCursor!: string | null;

  @ApiPropertyOptional({ type: () => LogAsOfResponse })
  asOf?: LogAsOfResponse;
}

export class CustomerByIdentityResponse {
  @ApiProperty()
  customerId!: string;

  @ApiProperty({ type: () => ChannelIdentityResponse })
  identity!: ChannelIdentityResponse;

  @ApiProperty({ example: '/v1/customers/6f1b0c8e-2d7a-4e35-8a41-93c2d5e7b0f4/timeline' })
  timeline!: string;

  @ApiPropertyOptional({ type: () => LogAsOfResponse })
  asOf?: LogAsOfResponse;
}
