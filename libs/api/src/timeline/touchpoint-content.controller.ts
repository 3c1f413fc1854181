import { Controller, Get, Inject, Optional, Param } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import {
  type ChannelIdentity,
  fileTimelineEntry,
  isErased,
  toTimelineEntry,
} from '@rapport/domain';
import { type EventStore, type RecordedEvent } from '@rapport/event-store';
import { type TimelineReadModel } from '@rapport/read-models';
import { Access } from '../access/access-policy';
import { type RapportConfig } from '../config/rapport-config';
import { CustomerIdPipe } from '../http/id-params';
import { ApiProblemResponse } from '../http/openapi-responses';
import { ProblemException } from '../http/problem';
import { EVENT_STORE, RAPPORT_CONFIG, TIMELINE_READ_MODEL } from '../platform/tokens';

/** One touchpoint in full, as the log holds it (personal fields opened, or shown as erased). */
export class TouchpointContentResponse {
  @ApiProperty({ description: 'the customer whose timeline holds it (a merged id: its survivor)' })
  customerId!: string;

  @ApiProperty()
  eventId!: string;

  @ApiProperty({ type: 'integer' })
  position!: number;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;

  @ApiProperty({ example: 'touchpoint.recorded' })
  type!: string;

  @ApiProperty()
  channel!: string;

  @ApiProperty({ enum: ['inbound', 'outbound'] })
  direction!: string;

  @ApiProperty()
  source!: string;

  @ApiProperty({ description: 'the identity it came from (revealed to staff)' })
  identity!: ChannelIdentity;

  @ApiPropertyOptional({ description: 'the name the channel saw; null once erased' })
  name?: string | null;

  @ApiPropertyOptional({ description: 'null once erased' })
  subject?: string | null;

  @ApiPropertyOptional({
    description: 'the whole text (the timeline keeps an excerpt); null once erased',
  })
  text?: string | null;

  @ApiPropertyOptional({ description: 'names (null once erased), types and sizes' })
  attachments?: { name: string | null; mimeType: string; sizeBytes: number }[];

  @ApiPropertyOptional({ description: 'values null once erased' })
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional()
  conversationId?: string;

  @ApiPropertyOptional()
  sentiment?: number;

  @ApiPropertyOptional()
  agent?: { id: string; name?: string };

  @ApiPropertyOptional({ description: 'a survey answer' })
  survey?: { kind: string; score: number };

  @ApiPropertyOptional({
    enum: [true],
    description: 'its personal fields were erased with the person',
  })
  erased?: true;
}

/** The digits of a log position, as timeline entries give it. */
const POSITION = /^[1-9]\d{0,15}$/;

/**
 * The full content of one touchpoint of a customer's timeline, read from the log: the
 * timeline keeps an excerpt. The same access as the timeline (agents), and only a
 * touchpoint the customer's timeline holds now (merges, links and erasures as there).
 */
@ApiTags('customers')
@Controller('v1/customers')
export class TouchpointContentController {
  constructor(
    @Inject(TIMELINE_READ_MODEL) private readonly timelines: TimelineReadModel,
    @Inject(RAPPORT_CONFIG) private readonly config: RapportConfig,
    @Optional() @Inject(EVENT_STORE) private readonly store?: EventStore,
  ) {}

  @Access.staff('agent')
  @Get(':id/touchpoints/:position')
  @ApiOperation({
    summary: 'One touchpoint of the customer’s timeline in full (the timeline keeps an excerpt)',
  })
  @ApiParam({ name: 'id', description: 'customer id (UUID)' })
  @ApiParam({
    name: 'position',
    description: 'the entry’s log position (`position` on the timeline)',
  })
  @ApiOkResponse({ type: TouchpointContentResponse })
  @ApiProblemResponse(400, 'bad id or position')
  @ApiProblemResponse(404, 'not a touchpoint on this customer’s timeline')
  @ApiProblemResponse(501, 'this process has no event log, or one without counted positions')
  async touchpoint(
    @Param('id', CustomerIdPipe) customerId: string,
    @Param('position') rawPosition: string,
  ): Promise<TouchpointContentResponse> {
    if (!POSITION.test(rawPosition) || !Number.isSafeInteger(Number(rawPosition)))
      throw new ProblemException(400, 'position must be a log position (digits)', [
        { path: 'position', message: 'expected a positive integer' },
      ]);
    const position = Number(rawPosition);
    const store = this.store;
    if (!store || store.positionsAreCounters === false)
      throw new ProblemException(
        501,
        store
          ? 'reading one touchpoint needs a log with counted positions (SQLite, PostgreSQL)'
          : 'reading one touchpoint needs the event log, and this process has none (set RAPPORT_EVENT_STORE)',
      );
    const notHere = () =>
      new ProblemException(
        404,
        `no touchpoint at position ${position} on customer ${customerId}’s timeline`,
      );
    const [event] = await store.readAll({ after: position - 1, maxCount: 1 });
    if (!event || event.position !== position) throw notHere();
    const entry = toTimelineEntry(event);
    if (!entry) throw notHere();
    const further = (event.data as { identities?: ChannelIdentity[] }).identities;
    const filed = fileTimelineEntry(entry, further, this.config.identityPolicy);
    // On this customer's timeline now: the entry right after a cursor just past it.
    const ms = Date.parse(filed.occurredAt);
    const [resolved, page] = await Promise.all([
      this.timelines.resolveCustomer(customerId),
      this.timelines.page(customerId, {
        limit: 1,
        cursor: { occurredAtMs: ms, position: position + 1 },
      }),
    ]);
    if (resolved === null || page.items[0]?.position !== position) throw notHere();
    return contentOf(resolved, event, filed.identity);
  }
}

type Json = Record<string, unknown>;

/** A personal text as staff see it: the text, or null once erased. */
function opened(value: unknown): string | null | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : null;
}

function contentOf(
  customerId: string,
  event: RecordedEvent,
  filing: ChannelIdentity,
): TouchpointContentResponse {
  const data = event.data as Json;
  const meta = event.metadata as { occurredAt: string; ce: { source: string } };
  const entry = toTimelineEntry(event)!;
  const content = (data.content ?? {}) as Json;
  const survey = data.answer as { kind: string; score: number } | undefined;
  let erased = false;
  const personal = (value: unknown) => {
    if (isErased(value)) erased = true;
    return opened(value);
  };
  const out: Record<string, unknown> = {
    customerId,
    eventId: event.id,
    position: event.position,
    occurredAt: meta.occurredAt,
    type: entry.type,
    channel: entry.channel,
    direction: entry.direction,
    source: meta.ce.source,
    // The pseudonym: the API reveals it to staff (or leaves it, once erased).
    identity: identityOnly(filing),
  };
  const name = personal(data.name);
  if (name !== undefined) out.name = name;
  const subject = personal(content.subject);
  if (subject !== undefined) out.subject = subject;
  const text = personal(survey ? data.comment : content.text);
  if (text !== undefined) out.text = text;
  if (Array.isArray(content.attachments))
    out.attachments = (content.attachments as Json[]).map((a) => ({
      name: personal(a.name) ?? null,
      mimeType: a.mimeType,
      sizeBytes: a.sizeBytes,
    }));
  if (data.metadata && typeof data.metadata === 'object')
    out.metadata = Object.fromEntries(
      Object.entries(data.metadata as Json).map(([k, v]) => [
        k,
        typeof v === 'string' || isErased(v) ? personal(v) : v,
      ]),
    );
  if (typeof data.conversationId === 'string') out.conversationId = data.conversationId;
  if (typeof data.sentiment === 'number') out.sentiment = data.sentiment;
  if (data.agent) out.agent = data.agent;
  if (survey) out.survey = { kind: survey.kind, score: survey.score };
  if (erased) out.erased = true;
  return out as unknown as TouchpointContentResponse;
}

function identityOnly(identity: ChannelIdentity): ChannelIdentity {
  return identity.network === undefined
    ? { kind: identity.kind, value: identity.value }
    : { kind: identity.kind, value: identity.value, network: identity.network };
}
