import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { IdentityPayload, NestedObject, OptionalField } from '@rapport/domain';

/** What every staff command may carry besides its own fields. */
class StaffRequest {
  @ApiPropertyOptional({
    deprecated: true,
    description: 'ignored: the staff member is the token’s subject',
  })
  @OptionalField()
  @IsString()
  @Length(1, 128)
  staffId?: string;

  @ApiPropertyOptional({ description: 'why; kept in the event, never interpreted' })
  @OptionalField()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

/** `POST /v1/customers/:id/merge` and `…/unmerge`: the other customer. */
export class MergeCustomerDto extends StaffRequest {
  @ApiProperty({
    description: 'the customer merged into :id (merge), or split off from it (unmerge)',
  })
  @IsUUID()
  customerId!: string;
}

/** `POST /v1/customers/:id/identities`: an identity to link to the customer. */
export class LinkIdentityDto extends StaffRequest {
  @ApiProperty({ example: { kind: 'phone', value: '+4930123456' } })
  @NestedObject(() => IdentityPayload)
  identity!: IdentityPayload;
}

/** `DELETE /v1/customers/:id/identities/:identity`: optional body. */
export class UnlinkIdentityDto extends StaffRequest {}
