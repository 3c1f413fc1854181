/** The channels a touchpoint may come from (libs/domain channels.ts). */
export const CHANNELS = ['email', 'chat', 'phone', 'social', 'in_person', 'survey', 'web'] as const;

/** The shapes the console reads (see /docs for the full OpenAPI document). */
export interface ChannelIdentity {
  kind: string;
  value: string;
  network?: string;
  verified?: boolean;
}

export interface Actor {
  kind: 'adapter' | 'staff';
  source?: string;
  staffId?: string;
}

export interface MergeRecord {
  action: 'merged' | 'unmerged';
  survivorId: string;
  mergedId: string;
  by: Actor;
  reason: string;
  at: string;
  note?: string;
  sequence: number;
}

export interface MergeSuggestion {
  survivorId: string;
  mergedId: string;
  evidence: ChannelIdentity[];
  reason: string;
  by: Actor;
  at: string;
  sequence: number;
}

export interface PersonIdea {
  ideaId: string;
  /** Null once its author was erased (the API says `erased: true`). */
  title: string | null;
  status: IdeaStatus;
  role: 'submitter' | 'supporter';
  updatedAt: string;
}

export interface CustomerProfile {
  customerId: string;
  /** The latest name any of their identities was seen with. */
  name?: string;
  nameSeenAt?: string;
  redirectedFrom?: string;
  identities: (ChannelIdentity | string)[];
  mergedCustomers: string[];
  channels: string[];
  touchpointsPerChannel: Record<string, number>;
  touchpoints: number;
  firstContact: string | null;
  lastContact: string | null;
  mergeHistory: MergeRecord[];
  openMergeSuggestions: MergeSuggestion[];
  ideas?: PersonIdea[];
}

export interface TimelineEntry {
  eventId: string;
  position: number;
  customerId: string;
  occurredAt: string;
  type: string;
  source: string;
  channel: string;
  direction: 'inbound' | 'outbound';
  identity?: ChannelIdentity | string;
  subject?: string;
  excerpt?: string;
  sentiment?: number;
  conversationId?: string;
  agent?: { id: string; name?: string };
}

export interface TimelinePage {
  customerId: string;
  items: TimelineEntry[];
  nextCursor?: string | null;
}

export interface Closeness {
  score: number;
  components: { intensity: number; emotion: number; breadth: number; coCreation: number };
  lastContactAt: string | null;
  channels: Record<string, string>;
  topContributors: {
    eventId: string;
    occurredAt: string;
    kind: string;
    channel?: string;
    direction?: string;
    twoWay?: boolean;
    points: number;
  }[];
  history: { date: string; score: number }[];
}

export interface RankedCustomer {
  rank?: number;
  customerId: string;
  score: number;
  lastContactAt: string | null;
  scoreAtWindowStart?: number;
  drop?: number;
}

export const IDEA_STATUSES = [
  'new',
  'under_review',
  'planned',
  'in_progress',
  'shipped',
  'declined',
] as const;
export type IdeaStatus = (typeof IDEA_STATUSES)[number];

/** As the domain allows (libs/domain idea-status): forward one step, or declined while open. */
export const NEXT_STATUSES: Readonly<Record<IdeaStatus, readonly IdeaStatus[]>> = {
  new: ['under_review', 'declined'],
  under_review: ['planned', 'declined'],
  planned: ['in_progress', 'declined'],
  in_progress: ['shipped', 'declined'],
  shipped: [],
  declined: [],
};

export interface BacklogItem {
  ideaId: string;
  title: string | null;
  status: IdeaStatus;
  votes: number;
  priority: number;
  trend: number;
  submittedAt: string;
  updatedAt: string;
  mergedFrom: string[];
}

export interface ProjectionStatus {
  name: string;
  version: number | null;
  position: number;
  lagEvents: number;
  lagSeconds: number;
  /**
   * Identity resolution only: `runner` (the process answering runs it: exact) or `log` (its
   * last decision in the log: touchpoints after it may have needed none, so the lag is at most
   * this) — the query API of the production shape, where the projector runs it.
   */
  positionFrom?: 'runner' | 'log';
  rebuild: {
    version: number;
    position: number;
    startedAt: string;
    running: boolean;
    phase?: string;
  } | null;
}

/** An identity as the API shows it: `kind:value` (whatever shape it arrives in). */
export function identityText(identity: ChannelIdentity | string | undefined): string {
  if (identity === undefined) return '';
  if (typeof identity === 'string') return identity;
  return [identity.kind, identity.network, identity.value].filter(Boolean).join(':');
}

export function identityKind(identity: ChannelIdentity | string): string {
  return typeof identity === 'string' ? identity.split(':')[0] : identity.kind;
}

/** The value alone (`maria@example.com`), for a heading. */
export function identityValue(identity: ChannelIdentity | string): string {
  if (typeof identity !== 'string') return identity.value;
  const colon = identity.indexOf(':');
  return colon < 0 ? identity : identity.slice(colon + 1);
}

export type IdeaOrigin =
  | { kind: 'touchpoint'; touchpointEventId: string; channel: string }
  | { kind: 'staff'; staffId: string };

export interface IdeaDetail {
  ideaId: string;
  redirectedFrom?: string;
  title: string | null;
  description?: string;
  status: IdeaStatus;
  declineReason?: string;
  submittedBy: string;
  origin: IdeaOrigin;
  submittedAt: string;
  updatedAt: string;
  votes: { customerId: string; origin: IdeaOrigin; at: string }[];
  comments: {
    commentId: string;
    author: { kind: 'customer'; customerId: string } | { kind: 'staff'; staffId: string };
    text: string | null;
    at: string;
  }[];
  history: { status: IdeaStatus; at: string; staffId?: string; reason?: string }[];
  mergedInto?: string;
  mergedFrom: string[];
  rice?: { reach: number; impact: number; confidence: number; effort: number };
}

/** The `{ kind, value, network? }` a command takes, from an identity as the API showed it. */
export function identityPayload(identity: ChannelIdentity | string): {
  kind: string;
  value: string;
  network?: string;
} {
  if (typeof identity !== 'string')
    return {
      kind: identity.kind,
      value: identity.value,
      ...(identity.network ? { network: identity.network } : {}),
    };
  const [kind, ...rest] = identity.split(':');
  if (kind === 'social' && rest.length > 1)
    return { kind, network: rest[0], value: rest.slice(1).join(':') };
  return { kind, value: rest.join(':') };
}

/** `GET /v1/customers/:id/touchpoints/:position`: one touchpoint in full (texts null once erased). */
export interface TouchpointContent {
  customerId: string;
  eventId: string;
  position: number;
  occurredAt: string;
  type: string;
  channel: string;
  direction: 'inbound' | 'outbound';
  source: string;
  identity: ChannelIdentity | string;
  name?: string | null;
  subject?: string | null;
  text?: string | null;
  attachments?: { name: string | null; mimeType: string; sizeBytes: number }[];
  metadata?: Record<string, unknown>;
  erased?: true;
}

/** `POST /v1/customers/search`: customers by a name prefix. */
export interface CustomerByName {
  customerId: string;
  name: string;
  seenAt: string;
}

/** `GET /v1/merge-suggestions`: an open suggestion, each side as it is now. */
export interface QueuedMergeSuggestion extends MergeSuggestion {
  survivor: { customerId: string; name?: string };
  merged: { customerId: string; name?: string };
}
