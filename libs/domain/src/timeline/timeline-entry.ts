import { type Channel, type Direction } from '../channels';
import { EventNames, parseEventType } from '../events/event-type';
import { type ChannelIdentity } from '../identity/channel-identity';
import { type IngestedEventMetadata } from '../ingestion/touchpoint-log-event';
import { isErased, type PersonalText } from '../privacy/erased';

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
  /** Its texts were erased with their author (read back after an erasure: a rebuild, time travel). */
  readonly erased?: true;
}

export const EXCERPT_LENGTH = 280;

interface TouchpointData {
  channel: Channel;
  direction: Direction;
  identity: ChannelIdentity;
  content?: { subject?: PersonalText; text?: PersonalText };
  sentiment?: number;
  conversationId?: string;
  agent?: { id: string; name?: string };
}

interface SurveyData {
  identity: ChannelIdentity;
  channel?: Channel;
  answer: { kind: string; score: number };
  comment?: PersonalText;
  sentiment?: number;
}

/** The timeline entry an event adds, or null when the event does not belong on a timeline. */
export function toTimelineEntry(event: LoggedEvent): TimelineEntry | null {
  const name = timelineEventNameOf(event.type);
  if (name === null) return null;
  const meta = event.metadata as IngestedEventMetadata;
  // One object, field by field, in the entry's JSON order (eventId … source, then the
  // type's own fields), without undefined fields: a rebuild runs this once per event.
  const entry: Record<string, unknown> = {
    eventId: event.id,
    position: event.position,
    customerId: meta.customerId,
    occurredAt: meta.occurredAt,
    type: name,
    source: meta.ce.source,
  };
  if (name === EventNames.touchpointRecorded) {
    const data = event.data as TouchpointData;
    const content = data.content;
    if (data.channel !== undefined) entry.channel = data.channel;
    if (data.direction !== undefined) entry.direction = data.direction;
    if (data.identity !== undefined) entry.identity = data.identity;
    if (typeof content?.subject === 'string') entry.subject = content.subject;
    if (typeof content?.text === 'string') entry.excerpt = excerptOf(content.text);
    if (isErased(content?.subject) || isErased(content?.text)) entry.erased = true;
    if (data.sentiment !== undefined) entry.sentiment = data.sentiment;
    if (data.conversationId !== undefined) entry.conversationId = data.conversationId;
    if (data.agent !== undefined) entry.agent = data.agent;
  } else {
    const data = event.data as SurveyData;
    entry.channel = data.channel ?? 'survey';
    entry.direction = 'inbound';
    if (data.identity !== undefined) entry.identity = data.identity;
    if (typeof data.comment === 'string') entry.excerpt = excerptOf(data.comment);
    if (isErased(data.comment)) entry.erased = true;
    if (data.sentiment !== undefined) entry.sentiment = data.sentiment;
    entry.survey = { kind: data.answer.kind, score: data.answer.score };
  }
  return entry as unknown as TimelineEntry;
}

const TIMELINE_EVENT_NAMES: ReadonlySet<string> = new Set([
  EventNames.touchpointRecorded,
  EventNames.surveyResponded,
]);
/** Event type → its name when it belongs on a timeline, else null; types repeat, so parsed once each. */
const timelineNames = new Map<string, string | null>();

function timelineEventNameOf(type: string): string | null {
  let name = timelineNames.get(type);
  if (name === undefined) {
    const parsed = parseEventType(type)?.name;
    name = parsed !== undefined && TIMELINE_EVENT_NAMES.has(parsed) ? parsed : null;
    // Bounded: the log's types are a short list, but a reader must not grow without end.
    if (timelineNames.size < 1000) timelineNames.set(type, name);
  }
  return name;
}

function excerptOf(text: string): string {
  return text.length <= EXCERPT_LENGTH ? text : `${text.slice(0, EXCERPT_LENGTH - 1)}…`;
}
