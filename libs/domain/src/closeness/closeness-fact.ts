import { isChannel, isDirection, type Channel, type Direction } from '../channels';
import { EventNames, parseEventType } from '../events/event-type';
import { type LoggedEvent } from '../timeline/timeline-entry';

/** The idea events that count as co-creation (names as in DESIGN.md; versions ignored). */
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

interface FactBase {
  readonly eventId: string;
  /** Log position: facts are folded in log order. */
  readonly position: number;
  /**
   * Keyed by `metadata.customerId` as ingested. A merged customer (`customer.merged`) is
   * not followed yet: each id keeps its own score until merges are projected.
   */
  readonly customerId: string;
  readonly occurredAtMs: number;
}

interface Meta {
  readonly customerId?: unknown;
  readonly occurredAt?: unknown;
}

/** The closeness fact a logged event holds, or null when it does not bear on closeness. */
export function toClosenessFact(event: LoggedEvent): ClosenessFact | null {
  const type = parseEventType(event.type);
  if (!type) return null;
  const meta = (event.metadata ?? {}) as Meta;
  const data = (event.data ?? {}) as Record<string, unknown>;
  if (type.name === EventNames.touchpointRecorded) {
    const base = baseOf(event, meta.customerId, meta.occurredAt);
    if (!base || !isChannel(data.channel) || !isDirection(data.direction)) return null;
    return {
      ...base,
      kind: 'touchpoint',
      channel: data.channel,
      direction: data.direction,
      ...(typeof data.conversationId === 'string' ? { conversationId: data.conversationId } : {}),
      ...(isSentiment(data.sentiment) ? { sentiment: data.sentiment } : {}),
    };
  }
  if (type.name === EventNames.surveyResponded) {
    const base = baseOf(event, meta.customerId, meta.occurredAt);
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
    const base = baseOf(event, customerId, data.at ?? meta.occurredAt);
    return base ? { ...base, kind: 'co-creation', coCreation } : null;
  }
  return null;
}

function baseOf(event: LoggedEvent, customerId: unknown, occurredAt: unknown): FactBase | null {
  if (typeof customerId !== 'string' || customerId === '') return null;
  const occurredAtMs = typeof occurredAt === 'string' ? Date.parse(occurredAt) : NaN;
  if (!Number.isFinite(occurredAtMs)) return null;
  return { eventId: event.id, position: event.position, customerId, occurredAtMs };
}

function isSentiment(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= -1 && value <= 1;
}
