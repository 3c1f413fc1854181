import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { CHANNELS, IDEA_STATUSES, IDENTITY_KINDS, NestedObject } from '@rapport/domain';

class NotificationIdentityDto {
  @ApiProperty({ enum: IDENTITY_KINDS })
  @IsIn(IDENTITY_KINDS)
  kind!: string;

  @ApiProperty({ description: 'the pseudonym the notification names the identity by' })
  @IsString()
  @Length(1, 300)
  value!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  network?: string;
}

/** `POST /v1/outbound/open`: a sealed notification as `rapport.outbound` carries it (`data`). */
export class OpenNotificationDto {
  @ApiPropertyOptional({ description: 'the notification id' })
  @IsOptional()
  @IsUUID()
  id?: string;

  @ApiPropertyOptional({ enum: CHANNELS })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  ideaId?: string;

  @ApiPropertyOptional({ enum: IDEA_STATUSES })
  @IsOptional()
  @IsIn(IDEA_STATUSES)
  from?: string;

  @ApiPropertyOptional({ enum: IDEA_STATUSES })
  @IsOptional()
  @IsIn(IDEA_STATUSES)
  to?: string;

  @ApiPropertyOptional({ description: 'when the status changed' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  at?: string;

  @ApiProperty({ description: 'the customer the notification is for' })
  @IsUUID()
  customerId!: string;

  @ApiProperty({ type: NotificationIdentityDto })
  @NestedObject(() => NotificationIdentityDto)
  identity!: NotificationIdentityDto;

  @ApiProperty({ description: 'the sealed part, as the topic carries it (enc:v1:…)' })
  @IsString()
  @Length(8, 100_000)
  @Matches(/^enc:v1:[A-Za-z0-9_-]+$/)
  sealed!: string;
}

export class OpenedNotificationResponse {
  @ApiPropertyOptional({ description: 'where to send it: the address the channel saw' })
  address?: string;
  @ApiProperty()
  identityKey!: string;
  @ApiProperty({ nullable: true, type: String })
  title!: string | null;
  @ApiProperty()
  subject!: string;
  @ApiProperty()
  text!: string;
  @ApiPropertyOptional()
  reason?: string;
}
