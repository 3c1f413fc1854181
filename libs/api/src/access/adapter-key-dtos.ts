import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import { CHANNELS, type Channel, IDENTITY_KINDS, type IdentityKind } from '@rapport/domain';

/** `POST /v1/admin/adapter-keys`: what the new key may publish. */
export class CreateAdapterKeyDto {
  @ApiProperty({ example: 'zendesk-eu', description: 'what the adapter is, for people' })
  @IsString()
  @Length(1, 64)
  @Matches(/^[A-Za-z0-9 ._-]+$/, { message: 'name: letters, digits, space, ".", "_" and "-"' })
  name!: string;

  @ApiProperty({ enum: CHANNELS, isArray: true, example: ['email'] })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(CHANNELS, { each: true })
  channels!: Channel[];

  @ApiProperty({
    example: ['mail-gateway://eu/*'],
    description: 'the `source` values it may use; `*` stands for any characters',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 256, { each: true })
  sourcePatterns!: string[];

  @ApiProperty({
    enum: IDENTITY_KINDS,
    isArray: true,
    example: ['email'],
    description:
      'identity kinds whose `verified` flag it is trusted to set (others count as unverified)',
  })
  @IsArray()
  @IsIn(IDENTITY_KINDS, { each: true })
  verifiedKinds!: IdentityKind[];
}

/** An adapter key as listed (never its secret). */
export class AdapterKeyResponse {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({
    type: Object,
    example: { channels: ['email'], sourcePatterns: ['*'], verifiedKinds: ['email'] },
  })
  scope!: { channels: string[]; sourcePatterns: string[]; verifiedKinds: string[] };
  @ApiProperty() createdAt!: string;
  @ApiProperty({ required: false }) rotatedAt?: string;
  @ApiProperty({ required: false }) revokedAt?: string;
}

/** A new or rotated key: the only time the full key is shown. */
export class IssuedAdapterKeyResponse {
  @ApiProperty({
    description: 'send it as the x-api-key header; it is not stored and cannot be shown again',
  })
  key!: string;
  @ApiProperty({ type: AdapterKeyResponse }) record!: AdapterKeyResponse;
}
