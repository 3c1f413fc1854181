import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

/** Why a person is forgotten or a suppression lifted: a ticket reference, kept in the log. */
class ErasureReason {
  @ApiProperty({
    example: 'GDPR request #4711',
    description: 'why (a ticket reference): kept in the log, so no personal data',
  })
  @IsString()
  @Length(3, 500)
  reason!: string;
}

/** `DELETE /v1/customers/:id`: the reason is required. */
export class EraseCustomerDto extends ErasureReason {}

/** `POST /v1/suppressions/lift`: the identity whose touchpoints are stored again, in the body. */
export class LiftSuppressionDto extends ErasureReason {
  @ApiProperty({
    example: 'email:ann@example.com',
    description: 'kind:value, normalised like on ingestion',
  })
  @IsString()
  @Length(3, 600)
  identity!: string;
}

export class ErasureResponse {
  @ApiProperty({ description: 'the person erased (the survivor of the id asked for)' })
  customerId!: string;
  @ApiProperty({ type: [String], description: 'every customer id whose data key was destroyed' })
  erasedCustomerIds!: string[];
  @ApiProperty({ description: 'how many identities are now suppressed' })
  identities!: number;
  @ApiProperty({ description: 'data keys destroyed by this request (0 when repeated)' })
  keysDestroyed!: number;
  @ApiProperty({ description: 'log position of customer.erased.v1' })
  position!: number;
}

export class SuppressionLiftedResponse {
  @ApiProperty({ description: 'log position of customer.suppression-lifted.v1' })
  position!: number;
}
