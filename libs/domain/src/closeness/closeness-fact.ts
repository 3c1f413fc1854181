import { isChannel, isDirection, type Channel, type Direction } from '../channels';
import { filingIdentityOf } from '../customer/filing-identity';
import { EventNames, parseEventType } from '../events/event-type';
import { type ChannelIdentity, identityKey } from '../identity/channel-identity';
import { customerIdFor } from '../identity/customer-id';
import { DEFAULT_IDENTITY_POLICY, type IdentityPolicy } from '../identity-graph/identity-policy';
import { type LoggedEvent } from '../timeline/timeline-entry';
import { customerBucket } from './closeness-membership';

/** The idea events that count as co-creation (versions ignored). */
export const CO_CREATION_EVENTS = {
  'idea.submitted': 'submitted',
  'idea.voted': 'voted',
  'idea.commented': 'commented',
} as const;
export type CoCreationKind = (typeof CO_CREATION_EVENTS)[keyof typeof CO_CREATION_EVENTS];

/**
 * What the closeness score needs of one logged event — nothing else (no text, no identity).
 * Facts are kept per customer, so a score can be recomputed as of any time.
 */
export type ClosenessFact =
  | (FactBase & {
      readonly kind: 'touchpoint';
      readonly channel: Channel;
      readonly direction: Direction;
      readonly conversationId?: string;
      /** −1…1 */
      readonly sentiment?: number;
    })
  | (FactBase & {
      readonly kind: 'survey';
      readonly channel: Channel;
      readonly survey: { readonly kind: 'nps' | 'csat'; readonly score: number };
    })
  | (FactBase & { readonly kind: 'co-creation'; readonly coCreation: CoCreationKind });

type TouchpointFact = Extract<ClosenessFact, { kind: 'touchpoint' }>;

interface FactBase {
  readonly eventId: string;
  /** Log position: facts are folded in log order. */
  readonly position: number;
  /**
   * The customer the event was filed for: a touchpoint's filing identity's own customer id
   * (as the timeline files it), an idea event's customer. Who that is now — after links and
   * merges — is the identity graph's answer for `bucket`.
   */
  readonly customerId: string;
  /**
   * Where the fact is kept: a touchpoint's or survey answer's filing identity (its key,
   * `email:ann@example.com`), an idea event's customer (`customer:<id>`). A customer's facts
   * are the facts of its buckets: its identities and the customers merged into it.
   */
  readonly bucket: string;
  readonly occurredAtMs: number;
}

interface Meta {
  readonly customerId?: unknown;
  readonly occurredAt?: unknown;
}

/**
 * The closeness fact a logged event holds, or null when it does not bear on closeness.
 * `policy` names the blocked identities a touchpoint is not filed under (as the timeline).
 */
export function toClosenessFact(
  event: LoggedEvent,
  policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY,
): ClosenessFact | null {
  const type = parseEventType(event.type);
  if (!type) return null;
  const meta = (event.metadata ?? {}) as Meta;
  const data = (event.data ?? {}) as Record<string, unknown>;
  if (type.name === EventNames.touchpointRecorded || type.name === EventNames.surveyResponded) {
    const filed = filedUnder(data, meta.customerId, policy);
    if (!filed) return null;
    return factOf(event, type.name, data, filed, meta.occurredAt);
  }
  const coCreation = CO_CREATION_EVENTS[type.name as keyof typeof CO_CREATION_EVENTS];
  if (coCreation) {
    // Idea events name their customer in the data (a comment: its customer author).
    const author = data.author as { kind?: unknown; customerId?: unknown } | undefined;
    const customerId =
      coCreation === 'commented'
        ? author?.kind === 'customer'
          ? author.customerId
          : undefined
        : (data.customerId ?? meta.customerId);
    if (typeof customerId !== 'string' || customerId === '') return null;
    const base = baseOf(
      event,
      { customerId, bucket: customerBucket(customerId) },
      data.at ?? meta.occurredAt,
    );
    return base ? { ...base, kind: 'co-creation', coCreation } : null;
  }
  return null;
}

/** The customer and bucket a touchpoint or survey answer is filed under. */
function filedUnder(
  data: Record<string, unknown>,
  customerId: unknown,
  policy: IdentityPolicy,
): { customerId: string; bucket: string } | null {
  if (typeof customerId !== 'string' || customerId === '') return null;
  const identity = data.identity as ChannelIdentity | undefined;
  if (!identity || typeof identity.kind !== 'string' || typeof identity.value !== 'string')
    return { customerId, bucket: customerBucket(customerId) };
  const further = data.identities as ChannelIdentity[] | undefined;
  if (!further || further.length === 0) return { customerId, bucket: identityKey(identity) };
  const filing = filingIdentityOf([identity, ...further], policy);
  return filing === identity
    ? { customerId, bucket: identityKey(identity) }
    : { customerId: customerIdFor(filing), bucket: identityKey(filing) };
}

function factOf(
  event: LoggedEvent,
  name: string,
  data: Record<string, unknown>,
  filed: { customerId: string; bucket: string },
  occurredAt: unknown,
): ClosenessFact | null {
  if (name === EventNames.touchpointRecorded) {
    const occurredAtMs = timeOf(occurredAt);
    if (occurredAtMs === null || !isChannel(data.channel) || !isDirection(data.direction))
      return null;
    // Built field by field (this runs once per projected touchpoint): the same keys in the
    // same order as the base fields followed by the touchpoint's, optional ones only when set.
    const fact: Omit<TouchpointFact, 'conversationId' | 'sentiment'> & {
      conversationId?: string;
      sentiment?: number;
    } = {
      eventId: event.id,
      position: event.position,
      customerId: filed.customerId,
      bucket: filed.bucket,
      occurredAtMs,
      kind: 'touchpoint',
      channel: data.channel,
      direction: data.direction,
    };
    if (typeof data.conversationId === 'string') fact.conversationId = data.conversationId;
    if (isSentiment(data.sentiment)) fact.sentiment = data.sentiment;
    return fact;
  }
  const base = baseOf(event, filed, occurredAt);
  const answer = data.answer as { kind?: unknown; score?: unknown } | undefined;
  if (!base || !answer || (answer.kind !== 'nps' && answer.kind !== 'csat')) return null;
  if (typeof answer.score !== 'number' || !Number.isFinite(answer.score)) return null;
  return {
    ...base,
    kind: 'survey',
    channel: isChannel(data.channel) ? data.channel : 'survey',
    survey: { kind: answer.kind, score: answer.score },
  };
}

function baseOf(
  event: LoggedEvent,
  filed: { customerId: string; bucket: string },
  occurredAt: unknown,
): FactBase | null {
  const occurredAtMs = timeOf(occurredAt);
  if (occurredAtMs === null) return null;
  return {
    eventId: event.id,
    position: event.position,
    customerId: filed.customerId,
    bucket: filed.bucket,
    occurredAtMs,
  };
}

function timeOf(occurredAt: unknown): number | null {
  const ms = typeof occurredAt === 'string' ? Date.parse(occurredAt) : NaN;
  return Number.isFinite(ms) ? ms : null;
}

function isSentiment(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= -1 && value <= 1;
}
