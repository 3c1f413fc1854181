import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class NoteAddedResponse {
  @ApiProperty() noteId!: string;
  @ApiProperty({ description: 'the survivor the id answered for' }) customerId!: string;
  @ApiProperty({ description: 'the log position of the note' }) position!: number;
}

export class LabelChangeResponse {
  @ApiProperty() customerId!: string;
  @ApiProperty({ description: 'normalised' }) label!: string;
  @ApiProperty({ description: 'false when it was already there (or already gone)' })
  changed!: boolean;
  @ApiProperty({ type: [String], description: 'the labels the customer carries now' })
  labels!: string[];
  @ApiPropertyOptional() position?: number;
}

export class NoteResponse {
  @ApiProperty() noteId!: string;
  @ApiProperty({ description: 'the customer it was written on' }) customerId!: string;
  @ApiProperty() text!: string;
  @ApiProperty() staffId!: string;
  @ApiPropertyOptional() staffName?: string;
  @ApiProperty() at!: string;
  @ApiProperty() position!: number;
}

export class NotesResponse {
  @ApiProperty() customerId!: string;
  @ApiProperty({ type: [NoteResponse] }) items!: NoteResponse[];
  @ApiProperty({ type: Number, nullable: true, description: 'pass as `before` for older notes' })
  nextBefore!: number | null;
}

export class LabelsResponse {
  @ApiProperty() customerId!: string;
  @ApiProperty({ type: [String] }) labels!: string[];
}

export class LabelledCustomerResponse {
  @ApiProperty() customerId!: string;
  @ApiProperty() touchpoints!: number;
  @ApiProperty({ type: String, nullable: true }) lastContact!: string | null;
}

export class LabelledCustomersResponse {
  @ApiProperty() label!: string;
  @ApiProperty({ type: [LabelledCustomerResponse] }) items!: LabelledCustomerResponse[];
}

export class LabelledRankingResponse {
  @ApiProperty() label!: string;
  @ApiProperty() asOf!: string;
  @ApiPropertyOptional({ description: 'at-risk only' }) window?: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description: 'as `GET /v1/closeness/top` or `…/at-risk` answers them',
  })
  items!: object[];
}

export class LiveEventResponse {
  @ApiProperty({
    enum: ['ready', 'changed', 'presence', 'bye'],
    description: 'the SSE event name; this object is its `data` (text/event-stream)',
  })
  event!: string;
  @ApiPropertyOptional() customerId?: string;
  @ApiPropertyOptional({ description: 'ready, changed: the log position' }) position?: number;
  @ApiPropertyOptional({
    type: 'array',
    items: {
      type: 'object',
      properties: { staffId: { type: 'string' }, name: { type: 'string' } },
    },
    description: 'presence: who has the customer open',
  })
  viewers?: { staffId: string; name: string }[];
  @ApiPropertyOptional({ enum: ['expired', 'shutdown'], description: 'bye' }) reason?: string;
}
