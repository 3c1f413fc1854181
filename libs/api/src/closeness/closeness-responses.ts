import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CHANNELS,
  type Channel,
  type ClosenessFact,
  DIRECTIONS,
  type Direction,
} from '@rapport/domain';
import { enumOf } from '../http/openapi-responses';
import { LogAsOfResponse } from '../time-travel/time-travel-responses';
import { CustomerRedirectResponse } from '../timeline/timeline-responses';

const SCORE = 'rounded to two decimals';

/** Each component's points; they add up to the score. */
export class ClosenessComponentsResponse {
  @ApiProperty()
  intensity!: number;

  @ApiProperty()
  emotion!: number;

  @ApiProperty()
  breadth!: number;

  @ApiProperty()
  coCreation!: number;
}

/** A `ClosenessContributor`: a fact and the points it contributes. */
export class ClosenessContributorResponse {
  @ApiProperty()
  eventId!: string;

  @ApiProperty({ type: 'integer' })
  position!: number;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;

  @ApiProperty({
    enum: enumOf<ClosenessFact['kind']>({ touchpoint: true, survey: true, 'co-creation': true }),
  })
  kind!: ClosenessFact['kind'];

  @ApiPropertyOptional({ enum: CHANNELS, description: 'not for co-creation' })
  channel?: Channel;

  @ApiPropertyOptional({
    enum: DIRECTIONS,
    description: 'touchpoints only',
  })
  direction?: Direction;

  @ApiPropertyOptional({ description: 'touchpoints only' })
  twoWay?: boolean;

  @ApiProperty({ description: `its share of the score, ${SCORE}` })
  points!: number;
}

export class ClosenessHistoryPointResponse {
  @ApiProperty({ format: 'date', description: 'UTC day', example: '2026-06-01' })
  date!: string;

  @ApiProperty({ description: `the score at the end of the day (or at asOf), ${SCORE}` })
  score!: number;
}

/** A `ClosenessReport`, scores rounded. */
export class CustomerClosenessResponse extends CustomerRedirectResponse {
  @ApiProperty({ format: 'date-time', description: 'the moment scored' })
  asOf!: string;

  @ApiProperty({ description: `0–100, ${SCORE}` })
  score!: number;

  @ApiProperty({ description: 'relationship strength: the decayed sum of every weight' })
  strength!: number;

  @ApiProperty({ type: () => ClosenessComponentsResponse, description: SCORE })
  components!: ClosenessComponentsResponse;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastContactAt!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', format: 'date-time' },
    description: 'the channels taken part on (keys), with the latest use of each',
    example: { email: '2026-05-30T09:00:00.000Z' },
  })
  channels!: Partial<Record<Channel, string>>;

  @ApiProperty({ type: () => ClosenessContributorResponse, isArray: true })
  topContributors!: ClosenessContributorResponse[];

  @ApiProperty({ type: () => ClosenessHistoryPointResponse, isArray: true })
  history!: ClosenessHistoryPointResponse[];

  @ApiPropertyOptional({
    type: () => LogAsOfResponse,
    description: 'with a log position as asOf: the position used',
  })
  log?: LogAsOfResponse;
}

/** A `ClosestCustomer`. */
export class ClosestCustomerResponse {
  @ApiProperty({ type: 'integer', description: '1 for the closest' })
  rank!: number;

  @ApiProperty()
  customerId!: string;

  @ApiProperty({ description: SCORE })
  score!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastContactAt!: string | null;
}

export class TopClosenessResponse {
  @ApiProperty({ format: 'date-time' })
  asOf!: string;

  @ApiProperty({ type: () => ClosestCustomerResponse, isArray: true })
  items!: ClosestCustomerResponse[];
}

/** An `AtRiskCustomer`. */
export class AtRiskCustomerResponse {
  @ApiProperty()
  customerId!: string;

  @ApiProperty({ description: `the score at asOf, ${SCORE}` })
  score!: number;

  @ApiProperty({ description: `the score at the window’s start, ${SCORE}` })
  scoreAtWindowStart!: number;

  @ApiProperty({ description: `how much it fell over the window, ${SCORE}` })
  drop!: number;

  @ApiProperty({ format: 'date-time' })
  lastContactAt!: string;
}

export class AtRiskClosenessResponse {
  @ApiProperty({ format: 'date-time' })
  asOf!: string;

  @ApiProperty({ description: 'ISO 8601 duration', example: 'P30D' })
  window!: string;

  @ApiProperty({ type: () => AtRiskCustomerResponse, isArray: true })
  items!: AtRiskCustomerResponse[];
}
