import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { CHANNELS, DIRECTIONS, type Channel, type Direction } from '../channels';
import { IsPersonName } from '../customer/customer-name';
import { IsFlatRecord } from '../validation/is-flat-record';
import { OptionalField } from '../validation/optional-field';
import { NestedObject, NestedObjects } from '../validation/nested';
import { IdentityPayload } from './identity-payload';
import { PayloadLimits } from './payload-limits';

export class AgentPayload {
  @IsString()
  @Length(1, 128)
  id!: string;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  name?: string;
}

export class AttachmentPayload {
  @IsString()
  @Length(1, PayloadLimits.attachmentNameLength)
  name!: string;

  @IsString()
  @Length(1, 255)
  mimeType!: string;

  @IsInt()
  @Min(0)
  sizeBytes!: number;
}

export class ContentPayload {
  @IsOptional()
  @IsString()
  @MaxLength(PayloadLimits.subjectLength)
  subject?: string;

  @IsOptional()
  @IsString()
  @MaxLength(PayloadLimits.textLength)
  text?: string;

  @NestedObjects(() => AttachmentPayload, { optional: true, maxSize: PayloadLimits.attachments })
  attachments?: AttachmentPayload[];
}

/** `touchpoint.recorded.v1`: one interaction with a person on one channel. */
export class TouchpointRecordedV1 {
  @IsIn(CHANNELS)
  channel!: Channel;

  @IsIn(DIRECTIONS)
  direction!: Direction;

  @NestedObject(() => IdentityPayload)
  identity!: IdentityPayload;

  /**
   * Further identities of the same person on this event (a chat visitor who logged in with
   * an e-mail; an e-mail signed with a phone number), each may be `verified` by the channel.
   */
  @NestedObjects(() => IdentityPayload, { optional: true, maxSize: PayloadLimits.identities })
  identities?: IdentityPayload[];

  /**
   * The person's name as the channel saw it: an e-mail's display name, a chat visitor's
   * name, a social profile's name (1–200 characters, no control characters). Personal data:
   * sealed in the log, erased with the person; the customer shows the most recent one.
   */
  @OptionalField()
  @IsPersonName()
  name?: string;

  @NestedObject(() => AgentPayload, { optional: true })
  agent?: AgentPayload;

  @NestedObject(() => ContentPayload, { optional: true })
  content?: ContentPayload;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-1)
  @Max(1)
  sentiment?: number;

  @IsOptional()
  @IsString()
  @Length(1, 256)
  conversationId?: string;

  @IsOptional()
  @IsFlatRecord({
    maxKeys: PayloadLimits.metadataKeys,
    maxKeyLength: PayloadLimits.metadataKeyLength,
    maxValueLength: PayloadLimits.metadataValueLength,
  })
  metadata?: Record<string, string | number | boolean>;
}
