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

  // RFC 3339 with an offset (ISO 8601 alone would take a bare date, or a local time);
  // docs/decisions/0015-normalise-leap-seconds.md.
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
