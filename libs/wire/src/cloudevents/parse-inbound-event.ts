import { CloudEvent, ValidationError as CloudEventValidationError } from 'cloudevents';
import {
  type ChannelIdentity,
  type FieldError,
  type IdentityNormalizationOptions,
  type IdentityPayload,
  INBOUND_EVENT_SCHEMAS,
  type InboundEventSchema,
  SURVEY_SCORE_RANGE,
  type SurveyRespondedV1,
  type Validated,
  invalid,
  normalizeIdentities,
  normalizeIdentity,
  rfc3339TimeOf,
  valid,
} from '@rapport/domain';
import { validateDto } from '../validation/validate-dto';
import { CloudEventEnvelope } from './cloud-event-envelope';

export interface ParseOptions extends IdentityNormalizationOptions {
  /** The current time; events from further in the future than the allowed skew are refused. */
  readonly now: Date;
  readonly maxFutureSkewMs?: number;
}

/** A validated, normalised inbound event, still as a CloudEvent. */
export interface InboundEvent {
  readonly cloudEvent: CloudEvent<Record<string, unknown>>;
  readonly schema: InboundEventSchema;
  /** The normalised identity the event came from. */
  readonly identity: ChannelIdentity;
  /** `time` as a normalised UTC timestamp. */
  readonly occurredAt: string;
}

const DEFAULT_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;

/**
 * Turns untrusted JSON (one CloudEvent in structured mode) into an `InboundEvent`, or a
 * list of field-level reasons why not. Nothing about it is trusted before this returns.
 */
export function parseInboundEvent(input: unknown, options: ParseOptions): Validated<InboundEvent> {
  const envelope = validateDto(CloudEventEnvelope, input, '');
  if (!envelope.ok) {
    // Validate the payload too when the type is known, so one answer lists every problem.
    const schema = knownSchema(input);
    const data = schema
      ? validateDto(schema.dataClass, (input as { data?: unknown }).data, 'data')
      : null;
    return invalid(...envelope.errors, ...(data && !data.ok ? data.errors : []));
  }
  const attrs = envelope.value;
  const schema = INBOUND_EVENT_SCHEMAS.get(attrs.type) as InboundEventSchema;
  const payload = validateDto(schema.dataClass, attrs.data, 'data');
  if (!payload.ok) return payload;

  const errors: FieldError[] = [];
  // Read by the envelope's rule, which accepted it: its parse, not a second one. A leap
  // second is kept as …:59.999.
  const occurred = rfc3339TimeOf(attrs, 'time') as {
    timeMs: number;
    iso: string;
    leapSecond: boolean;
  };
  const time = occurred.leapSecond ? occurred.iso : attrs.time;
  const skew = options.maxFutureSkewMs ?? DEFAULT_FUTURE_SKEW_MS;
  if (occurred.timeMs > options.now.getTime() + skew) {
    errors.push({ path: 'time', message: `time ${attrs.time} is in the future` });
  }
  if (schema.name === 'survey.responded')
    errors.push(...surveyScoreErrors(payload.value as SurveyRespondedV1));

  const rawIdentity = (payload.value as { identity: IdentityPayload }).identity;
  const identity = normalizeIdentity(rawIdentity, 'data.identity', options);
  if (!identity.ok) errors.push(...identity.errors);
  const rawIdentities = (payload.value as { identities?: IdentityPayload[] }).identities;
  const identities = normalizeIdentities(rawIdentities, 'data.identities', options);
  if (!identities.ok) errors.push(...identities.errors);
  if (errors.length > 0 || !identity.ok || !identities.ok) return invalid(...errors);

  // The payload was validated field by field above (whitelisted, no unknown fields), so a
  // shallow copy with the normalised identity is enough; nested values are never mutated.
  const data =
    identities.value === undefined
      ? { ...attrs.data, identity: identity.value }
      : { ...attrs.data, identity: identity.value, identities: identities.value };
  try {
    const cloudEvent = new CloudEvent<Record<string, unknown>>(
      {
        specversion: '1.0',
        id: attrs.id,
        source: attrs.source,
        type: attrs.type,
        time,
        datacontenttype: 'application/json',
        ...(attrs.subject === undefined ? {} : { subject: attrs.subject }),
        ...(attrs.dataschema === undefined ? {} : { dataschema: attrs.dataschema }),
        data,
      },
      // Not strict: the SDK's own schema check would repeat what class-validator just did.
      false,
    );
    return valid({
      cloudEvent,
      schema,
      identity: identity.value,
      occurredAt: occurred.iso,
    });
  } catch (error) {
    if (error instanceof CloudEventValidationError) {
      return invalid({ path: '(envelope)', message: `not a valid CloudEvent: ${error.message}` });
    }
    throw error;
  }
}

function knownSchema(input: unknown): InboundEventSchema | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const type = (input as { type?: unknown }).type;
  return typeof type === 'string' ? INBOUND_EVENT_SCHEMAS.get(type) : undefined;
}

function surveyScoreErrors(survey: SurveyRespondedV1): FieldError[] {
  const [min, max] = SURVEY_SCORE_RANGE[survey.answer.kind];
  const score = survey.answer.score;
  return score < min || score > max
    ? [
        {
          path: 'data.answer.score',
          message: `a ${survey.answer.kind} score is between ${min} and ${max}`,
        },
      ]
    : [];
}
