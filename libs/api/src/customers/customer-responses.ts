import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  IntersectionType,
  PickType,
} from '@nestjs/swagger';
import {
  CHANNELS,
  type Channel,
  IDEA_STATUSES,
  type IdeaStatus,
  IdentityGraphEventTypes,
  type IdentityGraphEventType,
  type LinkReason,
  type MergeReason,
  type MergeSuggestionReason,
} from '@rapport/domain';
import { enumOf, oneOfModels } from '../http/openapi-responses';
import { LogAsOfResponse } from '../time-travel/time-travel-responses';
import { ChannelIdentityResponse, CustomerRedirectResponse } from '../timeline/timeline-responses';

const MERGE_REASONS = enumOf<MergeReason>({
  'verified-identities': true,
  'anonymous-signed-in': true,
  'staff-decision': true,
});
const MERGE_SUGGESTION_REASONS = enumOf<MergeSuggestionReason>({
  'kind-not-auto-mergeable': true,
  'unverified-identity': true,
  'holds-blocked-identity': true,
  'kind-limit': true,
});
const LINK_REASONS = enumOf<LinkReason>({
  'first-seen': true,
  'seen-together': true,
  'explicit-link': true,
});

export class AdapterActorResponse {
  @ApiProperty({ enum: ['adapter'] })
  kind!: 'adapter';

  @ApiProperty({ description: 'the adapter’s CloudEvents `source`' })
  source!: string;
}

export class StaffActorResponse {
  @ApiProperty({ enum: ['staff'] })
  kind!: 'staff';

  @ApiProperty()
  staffId!: string;
}

const ACTOR = {
  ...oneOfModels(AdapterActorResponse, StaffActorResponse),
  description: 'who caused it',
};

/** A `MergeRecord` of the customer's merge history. */
@ApiExtraModels(AdapterActorResponse, StaffActorResponse)
export class MergeRecordResponse {
  @ApiProperty({ enum: ['merged', 'unmerged'] })
  action!: 'merged' | 'unmerged';

  @ApiProperty()
  survivorId!: string;

  @ApiProperty()
  mergedId!: string;

  @ApiProperty(ACTOR)
  by!: AdapterActorResponse | StaffActorResponse;

  @ApiProperty({ enum: MERGE_REASONS })
  reason!: MergeReason;

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiPropertyOptional()
  note?: string;

  @ApiProperty({ type: 'integer', description: 'orders records across customers' })
  sequence!: number;
}

@ApiExtraModels(AdapterActorResponse, StaffActorResponse)
class IdentityEventCommonResponse {
  @ApiProperty(ACTOR)
  by!: AdapterActorResponse | StaffActorResponse;

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiPropertyOptional()
  note?: string;
}

/** `identity.linked.v1` */
export class IdentityLinkedResponse extends IdentityEventCommonResponse {
  @ApiProperty({ type: () => ChannelIdentityResponse })
  identity!: ChannelIdentityResponse;

  @ApiProperty()
  customerId!: string;

  @ApiPropertyOptional({ type: () => ChannelIdentityResponse })
  via?: ChannelIdentityResponse;

  @ApiProperty({ enum: LINK_REASONS })
  reason!: LinkReason;
}

/** `identity.unlinked.v1` */
export class IdentityUnlinkedResponse extends IdentityEventCommonResponse {
  @ApiProperty({ type: () => ChannelIdentityResponse })
  identity!: ChannelIdentityResponse;

  @ApiProperty()
  fromCustomerId!: string;

  @ApiProperty()
  toCustomerId!: string;

  @ApiProperty({ enum: ['explicit-unlink'] })
  reason!: 'explicit-unlink';
}

/** `customer.merge-suggested.v1` */
export class CustomerMergeSuggestedResponse extends IdentityEventCommonResponse {
  @ApiProperty()
  survivorId!: string;

  @ApiProperty()
  mergedId!: string;

  @ApiProperty({ type: () => ChannelIdentityResponse, isArray: true })
  evidence!: ChannelIdentityResponse[];

  @ApiProperty({ enum: MERGE_SUGGESTION_REASONS })
  reason!: MergeSuggestionReason;
}

/** `customer.merged.v1`: the fields of a suggestion, for a merge's reason. */
@ApiExtraModels(AdapterActorResponse, StaffActorResponse)
export class CustomerMergedResponse extends IntersectionType(
  IdentityEventCommonResponse,
  PickType(CustomerMergeSuggestedResponse, ['survivorId', 'mergedId', 'evidence'] as const),
  PickType(MergeRecordResponse, ['reason'] as const),
) {}

/** `customer.unmerged.v1` */
@ApiExtraModels(AdapterActorResponse, StaffActorResponse)
export class CustomerUnmergedResponse extends IntersectionType(
  IdentityEventCommonResponse,
  PickType(MergeRecordResponse, ['survivorId', 'mergedId'] as const),
) {
  @ApiProperty({ enum: ['staff-decision'] })
  reason!: 'staff-decision';
}

/** A `MergeSuggestionRecord`: the two customers look like one person; staff should decide. */
@ApiExtraModels(AdapterActorResponse, StaffActorResponse)
export class MergeSuggestionResponse extends IntersectionType(
  PickType(CustomerMergeSuggestedResponse, [
    'survivorId',
    'mergedId',
    'evidence',
    'reason',
  ] as const),
  PickType(MergeRecordResponse, ['by', 'at'] as const),
) {
  @ApiProperty({ type: 'integer' })
  sequence!: number;
}

/** A `PersonIdea`: one of the person's ideas. */
export class PersonIdeaResponse {
  @ApiProperty()
  ideaId!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ enum: IDEA_STATUSES })
  status!: IdeaStatus;

  @ApiProperty({ enum: ['submitter', 'supporter'] })
  role!: 'submitter' | 'supporter';

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

/** A `CustomerProfile`, with the person's ideas and where the timeline is. */
export class CustomerProfileResponse extends CustomerRedirectResponse {
  @ApiPropertyOptional({
    description:
      'the latest name any of their identities was seen with (absent with asOf, or when no channel gave one)',
    example: 'Maria Rossi',
  })
  name?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'when that name was last seen' })
  nameSeenAt?: string;

  @ApiProperty({
    type: () => ChannelIdentityResponse,
    isArray: true,
    description: 'its own and those of the customers merged into it',
  })
  identities!: ChannelIdentityResponse[];

  @ApiProperty({ type: [String] })
  mergedCustomers!: string[];

  @ApiProperty({
    enum: CHANNELS,
    isArray: true,
    description: 'channels with at least one touchpoint, by name',
  })
  channels!: Channel[];

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'touchpoints per channel (keys: channels)',
    example: { chat: 2, email: 5 },
  })
  touchpointsPerChannel!: Partial<Record<Channel, number>>;

  @ApiProperty({ type: 'integer' })
  touchpoints!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  firstContact!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastContact!: string | null;

  @ApiProperty({ type: () => MergeRecordResponse, isArray: true })
  mergeHistory!: MergeRecordResponse[];

  @ApiProperty({ type: () => MergeSuggestionResponse, isArray: true })
  openMergeSuggestions!: MergeSuggestionResponse[];

  @ApiPropertyOptional({
    type: () => PersonIdeaResponse,
    isArray: true,
    description:
      'submitted or supported, most recently changed first; absent with asOf, or where the process has no idea backlog',
  })
  ideas?: PersonIdeaResponse[];

  @ApiProperty({ example: '/v1/customers/6f1b0c8e-2d7a-4e35-8a41-93c2d5e7b0f4/timeline' })
  timeline!: string;

  @ApiPropertyOptional({ type: () => LogAsOfResponse })
  asOf?: LogAsOfResponse;
}

/** An `IdentityGraphEvent`: `data` is the payload its `type` names. */
@ApiExtraModels(
  IdentityLinkedResponse,
  IdentityUnlinkedResponse,
  CustomerMergedResponse,
  CustomerUnmergedResponse,
  CustomerMergeSuggestedResponse,
)
export class IdentityGraphEventResponse {
  @ApiProperty({ enum: Object.values(IdentityGraphEventTypes) })
  type!: IdentityGraphEventType;

  @ApiProperty(
    oneOfModels(
      IdentityLinkedResponse,
      IdentityUnlinkedResponse,
      CustomerMergedResponse,
      CustomerUnmergedResponse,
      CustomerMergeSuggestedResponse,
    ),
  )
  data!:
    | IdentityLinkedResponse
    | IdentityUnlinkedResponse
    | CustomerMergedResponse
    | CustomerUnmergedResponse
    | CustomerMergeSuggestedResponse;
}

/** What an identity command appended (the read models show it within moments). */
export class IdentityEventsResponse {
  @ApiProperty({ type: () => IdentityGraphEventResponse, isArray: true })
  events!: IdentityGraphEventResponse[];
}

/** One event of the log, as subject access returns it. */
export class SubjectEventResponse {
  @ApiProperty({ type: 'integer' })
  position!: number;

  @ApiProperty()
  id!: string;

  @ApiProperty({ example: 'touchpoint.recorded.v1' })
  type!: string;

  @ApiProperty({ format: 'date-time' })
  recordedAt!: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata!: Record<string, unknown>;
}

/** `GET /v1/customers/:id/export`: everything held about one person. */
export class SubjectAccessResponse {
  @ApiProperty({ description: 'the surviving customer id' })
  customerId!: string;

  @ApiProperty({ format: 'date-time' })
  generatedAt!: string;

  @ApiProperty({ type: () => CustomerProfileResponse })
  profile!: CustomerProfileResponse;

  @ApiProperty({
    type: () => SubjectEventResponse,
    isArray: true,
    description: 'every event filed under any of the person’s identities, in log order',
  })
  events!: SubjectEventResponse[];

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'the closeness report with a year of daily history, or null without contact',
  })
  closeness!: Record<string, unknown> | null;

  @ApiProperty({ type: () => PersonIdeaResponse, isArray: true })
  ideas!: PersonIdeaResponse[];
}
