import { type Channel, type Direction } from '../channels';
import { EventNames, parseEventType } from '../events/event-type';
import { type ChannelIdentity } from '../identity/channel-identity';
import { type IngestedEventMetadata } from '../ingestion/touchpoint-log-event';

/** The shape of a logged event this projection needs (any event store's record fits). */
export interface LoggedEvent {
  readonly id: string;
  readonly position: number;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

/** One line of a customer's unified timeline. */
export interface TimelineEntry {
  readonly eventId: string;
  readonly position: number;
  readonly customerId: string;
  /** When it happened (UTC, ISO 8601). The timeline is ordered by it, newest first. */
  readonly occurredAt: string;
  /** The event name without its schema version: `touchpoint.recorded`, `survey.responded`. */
  readonly type: string;
  readonly channel: Channel;
  readonly direction: Direction;
  readonly identity: ChannelIdentity;
  readonly source: string;
  readonly subject?: string;
  /** The first characters of the text, for a list view. */
  readonly excerpt?: string;
  readonly sentiment?: number;
  readonly conversationId?: string;
  readonly agent?: { readonly id: string; readonly name?: string };
  readonly survey?: { readonly kind: string; readonly score: number };
}

export const EXCERPT_LENGTH = 280;

interface TouchpointData {
  channel: Channel;
  direction: Direction;
  identity: ChannelIdentity;
  content?: { subject?: string; text?: string };
  sentiment?: number;
  conversationId?: string;
  agent?: { id: string; name?: string };
}

interface SurveyData {
  identity: ChannelIdentity;
  channel?: Channel;
  answer: { kind: string; score: number };
  comment?: string;
  sentiment?: number;
}

/** The timeline entry an event adds, or null when the event does not belong on a timeline. */
export function toTimelineEntry(event: LoggedEvent): TimelineEntry | null {
  const type = parseEventType(event.type);
  if (!type) return null;
  if (type.name !== EventNames.touchpointRecorded && type.name !== EventNames.surveyResponded)
    return null;
  const meta = event.metadata as IngestedEventMetadata;
  const base = {
    eventId: event.id,
    position: event.position,
    customerId: meta.customerId,
    occurredAt: meta.occurredAt,
    type: type.name,
    source: meta.ce.source,
  };
  switch (type.name) {
    case EventNames.touchpointRecorded: {
      const data = event.data as TouchpointData;
      return compact({
        ...base,
        channel: data.channel,
        direction: data.direction,
        identity: data.identity,
        subject: data.content?.subject,
        excerpt: excerptOf(data.content?.text),
        sentiment: data.sentiment,
        conversationId: data.conversationId,
        agent: data.agent,
      });
    }
    case EventNames.surveyResponded: {
      const data = event.data as SurveyData;
      return compact({
        ...base,
        channel: data.channel ?? 'survey',
        direction: 'inbound' as const,
        identity: data.identity,
        excerpt: excerptOf(data.comment),
        sentiment: data.sentiment,
        survey: { kind: data.answer.kind, score: data.answer.score },
      });
    }
    default:
      return null;
  }
}

function excerptOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text.length <= EXCERPT_LENGTH ? text : `${text.slice(0, EXCERPT_LENGTH - 1)}…`;
}

/** The value without its undefined fields (a plain loop: this runs once per projected event). */
function compact<T extends object>(value: T): T {
  const defined: Record<string, unknown> = {};
  for (const key in value) if (value[key] !== undefined) defined[key] = value[key];
  return defined as T;
}
