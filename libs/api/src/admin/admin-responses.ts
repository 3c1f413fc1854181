import { ApiExtraModels, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type RebuildOutcome, type RebuildProgress } from '@rapport/read-models';
import { enumOf, oneOfModels } from '../http/openapi-responses';

/** A `RebuildInProgress`, with the phase when this process runs it. */
export class RebuildInProgressResponse {
  @ApiProperty({ type: 'integer', description: 'the version being built' })
  version!: number;

  @ApiProperty({ type: 'integer', description: 'the log position the new version has applied' })
  position!: number;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ description: 'false when it was stopped and waits to be resumed' })
  running!: boolean;

  @ApiPropertyOptional({
    enum: enumOf<RebuildProgress['phase']>({ building: true, switching: true, dropping: true }),
  })
  phase?: RebuildProgress['phase'];
}

/** A `RebuildOutcome`: how the last rebuild this process ran ended. */
export class RebuildOutcomeResponse {
  @ApiProperty()
  name!: string;

  @ApiProperty({
    enum: enumOf<RebuildOutcome['status']>({ switched: true, stopped: true }),
    description: '`switched`: readers use the new version; `stopped`: the old one stays live',
  })
  status!: RebuildOutcome['status'];

  @ApiProperty({ type: 'integer' })
  version!: number;

  @ApiProperty({ type: 'integer' })
  previousVersion!: number;

  @ApiProperty({ type: 'integer' })
  position!: number;

  @ApiProperty({ type: 'integer', description: 'above 0 when it resumed a stopped rebuild' })
  resumedFrom!: number;

  @ApiProperty({ type: 'integer' })
  ms!: number;
}

export class RebuildFailedResponse {
  @ApiProperty({ enum: ['failed'] })
  status!: 'failed';

  @ApiProperty()
  error!: string;
}

/** A `ProjectionOverview`. */
@ApiExtraModels(RebuildOutcomeResponse, RebuildFailedResponse)
export class ProjectionOverviewResponse {
  @ApiProperty({ example: 'timeline' })
  name!: string;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'the live version of its read model (null: it keeps none)',
  })
  version!: number | null;

  @ApiProperty({ type: 'integer' })
  position!: number;

  @ApiProperty({ type: 'integer', description: 'log events not applied yet' })
  lagEvents!: number;

  @ApiProperty()
  lagSeconds!: number;

  @ApiProperty({ type: () => RebuildInProgressResponse, nullable: true })
  rebuild!: RebuildInProgressResponse | null;

  @ApiPropertyOptional({
    enum: ['runner', 'log'],
    description: 'identity resolution only: where its position comes from',
  })
  positionFrom?: 'runner' | 'log';

  @ApiPropertyOptional({
    ...oneOfModels(RebuildOutcomeResponse, RebuildFailedResponse),
    description: 'the last rebuild this process ran, once it ended',
  })
  lastRebuild?: RebuildOutcomeResponse | RebuildFailedResponse;
}

export class ProjectionsResponse {
  @ApiProperty({ type: 'integer', description: 'the log’s head position' })
  head!: number;

  @ApiProperty({ type: () => ProjectionOverviewResponse, isArray: true })
  projections!: ProjectionOverviewResponse[];
}

export class RebuildStartedResponse {
  @ApiProperty()
  name!: string;

  @ApiProperty({ type: 'integer', description: 'the version being built' })
  version!: number;

  @ApiProperty({ enum: ['started'] })
  status!: 'started';

  @ApiProperty({
    description: 'where the progress is (also the Location header)',
    example: '/v1/admin/projections/timeline',
  })
  watch!: string;
}
