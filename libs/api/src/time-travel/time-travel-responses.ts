import { ApiProperty } from '@nestjs/swagger';

/** `asOf` in an answer (`asOfField`): the log position it was answered at. */
export class LogAsOfResponse {
  @ApiProperty({ type: 'integer', description: 'the log position used', example: 1234 })
  position!: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'when the log recorded that position (null at 0)',
  })
  recordedAt!: string | null;
}
