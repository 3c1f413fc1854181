import { ApiExtraModels, ApiProperty } from '@nestjs/swagger';
import { FieldErrorResponse, oneOfModels } from '../http/openapi-responses';

const INDEX = {
  type: 'integer',
  description: 'the event’s index in the request (0 for one event)',
} as const;

/** An `IngestResult` of an event now in the log. */
export class IngestedTouchpointResponse {
  @ApiProperty(INDEX)
  index!: number;

  @ApiProperty({
    enum: ['accepted', 'duplicate'],
    description: '`accepted`: appended now; `duplicate`: the same event was already in the log',
  })
  status!: 'accepted' | 'duplicate';

  @ApiProperty()
  eventId!: string;

  @ApiProperty()
  customerId!: string;

  @ApiProperty()
  streamId!: string;

  @ApiProperty({ type: 'integer', description: 'its log position' })
  position!: number;
}

export class RejectedTouchpointResponse {
  @ApiProperty(INDEX)
  index!: number;

  @ApiProperty({ enum: ['rejected'] })
  status!: 'rejected';

  @ApiProperty({ type: () => FieldErrorResponse, isArray: true })
  errors!: FieldErrorResponse[];
}

export class ConflictingTouchpointResponse {
  @ApiProperty(INDEX)
  index!: number;

  @ApiProperty({
    enum: ['conflict'],
    description: 'the same source and id came back with other content',
  })
  status!: 'conflict';

  @ApiProperty()
  eventId!: string;

  @ApiProperty()
  message!: string;
}

export class FailedTouchpointResponse {
  @ApiProperty(INDEX)
  index!: number;

  @ApiProperty({ enum: ['failed'], description: 'an unexpected error, logged under `reference`' })
  status!: 'failed';

  @ApiProperty()
  reference!: string;

  @ApiProperty()
  message!: string;
}

const RESULTS = [
  IngestedTouchpointResponse,
  RejectedTouchpointResponse,
  ConflictingTouchpointResponse,
  FailedTouchpointResponse,
];

/** A batch's counts, and a result per event in request order. */
@ApiExtraModels(...RESULTS)
export class TouchpointBatchResponse {
  @ApiProperty({ type: 'integer' })
  accepted!: number;

  @ApiProperty({ type: 'integer' })
  duplicates!: number;

  @ApiProperty({ type: 'integer' })
  rejected!: number;

  @ApiProperty({ type: 'integer' })
  conflicts!: number;

  @ApiProperty({ type: 'integer' })
  failed!: number;

  @ApiProperty({ ...oneOfModels(...RESULTS), isArray: true })
  results!: (
    | IngestedTouchpointResponse
    | RejectedTouchpointResponse
    | ConflictingTouchpointResponse
    | FailedTouchpointResponse
  )[];
}
