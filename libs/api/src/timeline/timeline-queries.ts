import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  OptionalField,
  parseTimelineQuery,
  type TimelineQuery,
  type TimelineQueryParams,
} from '@rapport/domain';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { badQuery } from '../http/dto.pipe';

/**
 * `GET /v1/customers?identity=&asOf=`: both checked by the handler (the identity is
 * normalised with the configured phone region, `asOf` resolved against the log).
 */
export class FindCustomerQueryDto {
  @IsOptional()
  @IsString()
  identity?: string;

  @IsOptional()
  @IsString()
  asOf?: string;
}

/** `POST /v1/customers/lookup`: the identity in the body, so that it stays out of URLs and access logs. */
export class CustomerLookupDto {
  @ApiProperty({
    example: 'email:ann@example.com',
    description: 'kind:value (social: social:network:handle); normalised like on ingestion',
  })
  @IsString()
  @MaxLength(600)
  identity!: string;

  @ApiPropertyOptional({ description: 'a log position or an ISO 8601 time (time travel)' })
  @OptionalField()
  @IsString()
  asOf?: string;
}

/** `GET /v1/customers/:id?asOf=`. */
export class ProfileQueryDto {
  @IsOptional()
  @IsString()
  asOf?: string;
}

/** `GET /v1/customers/:id/timeline`: the filters and paging the domain parses, and `asOf`. */
export class TimelineQueryDto implements TimelineQueryParams {
  @IsOptional()
  @IsString()
  channel?: string;

  @IsOptional()
  @IsString()
  direction?: string;

  @IsOptional()
  @IsString()
  type?: string;

  @IsOptional()
  @IsString()
  from?: string;

  @IsOptional()
  @IsString()
  to?: string;

  @IsOptional()
  @IsString()
  limit?: string;

  @IsOptional()
  @IsString()
  cursor?: string;

  @IsOptional()
  @IsString()
  asOf?: string;
}

export interface TimelineRequest {
  readonly query: TimelineQuery;
  readonly asOf?: string;
}

/** The timeline query the domain parses (a refusal is a 400 naming the parameters). */
export function toTimelineRequest({ asOf, ...params }: TimelineQueryDto): TimelineRequest {
  const query = parseTimelineQuery(params);
  if (!query.ok) throw badQuery(query.errors);
  return { query: query.value, ...(asOf === undefined ? {} : { asOf }) };
}
