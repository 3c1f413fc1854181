import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A `ProjectionStatus` (a leased Redis projector adds its role), with its lag. */
export class ProjectionHealthResponse {
  @ApiProperty({ example: 'timeline' })
  name!: string;

  @ApiProperty({ type: 'integer' })
  position!: number;

  @ApiProperty()
  caughtUp!: boolean;

  @ApiProperty({ type: 'integer', description: 'times it resumed from the model’s checkpoint' })
  resumes!: number;

  @ApiPropertyOptional({ enum: ['standby', 'active'], description: 'a leased (Redis) projector' })
  role?: 'standby' | 'active';

  @ApiPropertyOptional({ type: 'integer', description: 'a leased (Redis) projector' })
  takeovers?: number;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'log events behind the head, where the process has the log',
  })
  lag?: number;
}

export class LogHeadResponse {
  @ApiProperty({ type: 'integer' })
  head!: number;
}

export class ReadModelHealthResponse {
  @ApiProperty({ type: 'integer' })
  timelineCheckpoint!: number;
}

export class HealthResponse {
  @ApiProperty({ enum: ['ok', 'failing'] })
  status!: 'ok' | 'failing';

  @ApiPropertyOptional({
    type: 'object',
    description: 'the checks the service adds, by name; any other fields are the check’s details',
    additionalProperties: {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string', enum: ['ok', 'failing'] } },
      additionalProperties: true,
    },
  })
  checks?: Record<string, { status: 'ok' | 'failing'; [detail: string]: unknown }>;

  @ApiPropertyOptional({ type: () => LogHeadResponse })
  log?: LogHeadResponse;

  @ApiProperty({ type: () => ProjectionHealthResponse, isArray: true })
  projections!: ProjectionHealthResponse[];

  @ApiPropertyOptional({ type: () => ReadModelHealthResponse })
  readModel?: ReadModelHealthResponse;
}
