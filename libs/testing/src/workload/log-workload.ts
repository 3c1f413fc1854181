import { randomUUID } from 'node:crypto';
import {
  type ChannelIdentity,
  customerIdFor,
  customerStreamId,
  EMPTY_IDENTITY_GRAPH,
  evolve,
  IDENTITY_GRAPH_STREAM,
  identityDecisionIdFor,
  identityKey,
  type IdentityGraph,
  type IdeaEvent,
  ideaStreamId,
  ideaSubmitted,
  ideaVoted,
  type IngestedEventMetadata,
  resolveTouchpointIdentities,
  touchpointIdentitiesOf,
} from '@rapport/domain';
import { parseInboundEvent, toLogEvent } from '@rapport/wire';
import { type AppendRequest } from '@rapport/event-store';
import { demoTouchpoints } from './demo-touchpoints';

export interface LogWorkloadSizes {
  /** Touchpoints and survey answers (the identity and idea events come on top). */
  readonly touchpoints: number;
  /** People the touchpoints are spread over (each one e-mail identity, some a phone too). */
  readonly identities: number;
  /** Every how many touchpoints one carries a phone as well (default 1,000). */
  readonly phoneEvery?: number;
  /** Appends per yielded batch (default 5,000). */
  readonly batchSize?: number;
}

/** What a generated log holds, by kind. */
export interface LogWorkloadCounts {
  touchpoints: number;
  identityEvents: number;
  ideaEvents: number;
}

/** An idea is submitted every 2,000 touchpoints; each touchpoint in 250 votes for the latest. */
const IDEA_EVERY = 2000;
const VOTE_EVERY = 250;
/** A prime: touchpoint n belongs to person (n · STRIDE) mod identities — every person, scattered. */
const STRIDE = 7919;
const START = Date.UTC(2025, 0, 1);

/**
 * A realistic log as it would be after ingestion and identity resolution, in appends ready
 * for `appendMany` (a large log for a benchmark, a small one for a test): the demo
 * workload's touchpoints and survey answers (its channels, texts, agents and sentiment,
 * validated and turned into log events by the ingestion path once each) replayed for
 * `identities` people in turn; after each touchpoint, the identity decisions identity
 * resolution would append for it, decided by the domain on a graph kept here (a first-seen
 * link for a new person; when a touchpoint also carries a phone, a link — or, for a phone
 * another customer has already, a merge suggestion); now and then an idea and votes for it.
 * Deterministic apart from the event ids. `counts` is filled in as batches are yielded.
 */
export function* logWorkload(
  sizes: LogWorkloadSizes,
  counts: LogWorkloadCounts = { touchpoints: 0, identityEvents: 0, ideaEvents: 0 },
): Generator<AppendRequest[]> {
  const batchSize = sizes.batchSize ?? 5000;
  const phoneEvery = sizes.phoneEvery ?? 1000;
  const phones = Math.max(1, Math.floor((0.8 * sizes.touchpoints) / phoneEvery));
  const now = new Date(START + 365 * 24 * 3600_000);
  const templates = demoTouchpoints({ customers: 200, days: 365, now, seed: 8 }).map(
    (cloudEvent) => {
      const parsed = parseInboundEvent(cloudEvent, { now });
      if (!parsed.ok) throw new Error(`demo event refused: ${JSON.stringify(parsed.errors)}`);
      return toLogEvent(parsed.value);
    },
  );
  const people = new Map<number, { identity: ChannelIdentity; key: string; customerId: string }>();
  const personOf = (p: number) => {
    let person = people.get(p);
    if (!person) {
      const identity: ChannelIdentity = { kind: 'email', value: `person.${p}@bench.example` };
      person = { identity, key: identityKey(identity), customerId: customerIdFor(identity) };
      people.set(p, person);
    }
    return person;
  };
  let graph: IdentityGraph = EMPTY_IDENTITY_GRAPH;
  let latestIdea: string | null = null;
  let batch: AppendRequest[] = [];
  for (let n = 0; n < sizes.touchpoints; n++) {
    const template = templates[n % templates.length];
    const person = personOf((n * STRIDE) % sizes.identities);
    const occurredAt = new Date(START + n * 30_000).toISOString();
    const data: Record<string, unknown> = { ...template.data, identity: person.identity };
    // One phone in five comes back with another person (a shared family phone).
    if (n % phoneEvery === phoneEvery - 1) {
      const phone = Math.floor(n / phoneEvery) % phones;
      data.identities = [{ kind: 'phone', value: `+4930${String(phone).padStart(9, '0')}` }];
    }
    const metadata: IngestedEventMetadata = {
      ...template.metadata,
      ce: { ...template.metadata.ce, id: `rebuild-${n}`, time: occurredAt },
      occurredAt,
      customerId: person.customerId,
      identityKey: person.key,
    };
    const touchpoint = { id: randomUUID(), type: template.type, data, metadata };
    batch.push({
      streamId: customerStreamId(person.customerId),
      expectedRevision: 'any',
      events: [touchpoint],
    });
    counts.touchpoints++;

    const identities = touchpointIdentitiesOf(touchpoint);
    const resolution = identities && resolveTouchpointIdentities(graph, identities);
    if (resolution && resolution.ok && resolution.value.events.length > 0) {
      batch.push({
        streamId: IDENTITY_GRAPH_STREAM,
        expectedRevision: 'any',
        events: resolution.value.events.map((decided, index) => {
          graph = evolve(graph, decided);
          return {
            id: identityDecisionIdFor(touchpoint.id, index),
            type: decided.type,
            data: decided.data,
            metadata: { causationId: touchpoint.id, causePosition: 0 },
          };
        }),
      });
      counts.identityEvents += resolution.value.events.length;
    }

    const origin = {
      kind: 'touchpoint' as const,
      touchpointEventId: touchpoint.id,
      channel: 'email' as const,
    };
    const ideaEvent = (event: IdeaEvent): AppendRequest => ({
      streamId: ideaStreamId(event.data.ideaId),
      expectedRevision: 'any',
      events: [{ id: randomUUID(), type: event.type, data: event.data, metadata: {} }],
    });
    if (n % IDEA_EVERY === 0) {
      latestIdea = randomUUID();
      const title = `Idea ${n}: a refill option`;
      batch.push(
        ideaEvent(
          ideaSubmitted({
            ideaId: latestIdea,
            title,
            customerId: person.customerId,
            origin,
            at: occurredAt,
          }),
        ),
      );
      counts.ideaEvents++;
    } else if (latestIdea && n % VOTE_EVERY === 0) {
      batch.push(
        ideaEvent(
          ideaVoted({ ideaId: latestIdea, customerId: person.customerId, origin, at: occurredAt }),
        ),
      );
      counts.ideaEvents++;
    }
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
