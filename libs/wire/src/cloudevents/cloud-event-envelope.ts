import {
  Equals,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { INBOUND_EVENT_TYPES, IsRfc3339Time, PayloadLimits } from '@rapport/domain';

/**
 * The CloudEvents 1.0 context attributes Rapport accepts on a touchpoint (structured
 * JSON mode). `time` is required: a timeline is ordered by when things happened.
 * Extension attributes are refused so that a typo never passes silently.
 */
export class CloudEventEnvelope {
  @Equals('1.0', { message: 'specversion must be "1.0"' })
  specversion!: string;

  @IsString()
  @Length(1, PayloadLimits.idLength)
  @Matches(/^[\x21-\x7e]+$/, { message: 'id must be printable ASCII without spaces' })
  id!: string;

  @IsString()
  @Length(1, PayloadLimits.sourceLength)
  @Matches(/^\S+$/, { message: 'source must be a URI-reference without spaces' })
  source!: string;

  @IsIn(INBOUND_EVENT_TYPES, {
    message: `type must be one of: ${INBOUND_EVENT_TYPES.join(', ')}`,
  })
  type!: string;

  // RFC 3339 needs a date, a time and an offset: ISO 8601 alone would accept a bare date, or
  // a time without an offset that each server would read in its own timezone. Dates that do
  // not exist are refused; a leap second is read as …:59.999 (see parseRfc3339Time).
  @IsRfc3339Time()
  time!: string;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  subject?: string;

  @IsOptional()
  @IsIn(['application/json'], { message: 'datacontenttype must be application/json' })
  datacontenttype?: string;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  dataschema?: string;

  @IsObject()
  data!: Record<string, unknown>;
}
