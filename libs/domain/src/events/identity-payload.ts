import { IsBoolean, IsIn, IsOptional, IsString, Length, ValidateIf } from 'class-validator';
import { IDENTITY_KINDS, type IdentityKind } from '../identity/channel-identity';
import { PayloadLimits } from './payload-limits';

/** A channel identity as an adapter sends it (normalised afterwards). */
export class IdentityPayload {
  @IsIn(IDENTITY_KINDS)
  kind!: IdentityKind;

  @IsString()
  @Length(1, PayloadLimits.identityValueLength)
  value!: string;

  @ValidateIf((o: IdentityPayload) => o.kind === 'social' || o.network !== undefined)
  @IsString()
  @Length(1, 32)
  network?: string;

  @IsOptional()
  @IsBoolean()
  verified?: boolean;
}
