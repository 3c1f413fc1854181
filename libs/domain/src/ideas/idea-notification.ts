import { nameBasedUuid } from '../ids/name-based-uuid';
import { type Channel } from '../channels';
import { type ChannelIdentity, identityKey } from '../identity/channel-identity';
import { customerStreamId } from '../identity/customer-id';
import { type IngestedEventMetadata } from '../ingestion/touchpoint-log-event';
import { type IdeaStatus, type IdeaStatusChangedV1 } from './idea-events';

/** Notification ids, name-based in a fixed, random namespace. */
const notificationIdOf = nameBasedUuid('8e2f4a61-3b7c-4d95-a0e8-5c1b9f7d2a34');

/** The CloudEvents `source` of everything the idea loop sends. */
export const IDEA_NOTIFICATION_SOURCE = 'rapport/ideas';
/** The CloudEvents `type` of a status notification on `rapport.outbound`. */
export const IDEA_NOTIFICATION_TYPE = 'idea.status-notification.v1';

/** Where to reach a customer: the channel they use most, and their identity there. */
export interface SupporterContact {
  readonly channel: Channel;
  readonly identity: ChannelIdentity;
}

/** One notification to one supporter about one status change. */
export interface IdeaStatusNotification {
  /** Derived from the status change's log event id and the supporter: the same on every replay. */
  readonly id: string;
  readonly customerId: string;
  readonly channel: Channel;
  readonly identity: ChannelIdentity;
  readonly ideaId: string;
  /** The idea's title, when it is the supporter's own or staff's words (else null). */
  readonly title: string | null;
  readonly from: IdeaStatus;
  readonly to: IdeaStatus;
  readonly reason?: string;
  readonly subject: string;
  readonly text: string;
  /** When the status changed. */
  readonly at: string;
}

export function notificationIdFor(statusEventId: string, customerId: string): string {
  return notificationIdOf(`${statusEventId}\n${customerId}`);
}

const WORDS: Record<IdeaStatus, string> = {
  new: 'is new',
  under_review: 'is under review',
  planned: 'is planned',
  in_progress: 'is being built',
  shipped: 'has shipped',
  declined: 'was declined',
};

/** The notification for one supporter of an idea whose status changed. */
export function ideaStatusNotification(input: {
  readonly statusEventId: string;
  readonly change: IdeaStatusChangedV1;
  /**
   * The idea's title when the supporter may read it back: the supporter's own words, or
   * staff's; another person's words are never copied into this person's notification (it
   * is kept on their timeline and sent out: an erasure of the author would not reach it).
   */
  readonly title: string | null;
  readonly customerId: string;
  readonly contact: SupporterContact;
}): IdeaStatusNotification {
  const { change, title, customerId, contact } = input;
  const subject =
    title === null
      ? `An idea you support ${WORDS[change.to]}`
      : `Your idea “${title}” ${WORDS[change.to]}`;
  const text =
    change.to === 'declined'
      ? `${subject}: ${change.reason ?? ''}. Thank you for telling us.`
      : `${subject}. Thank you for supporting it.`;
  return {
    id: notificationIdFor(input.statusEventId, customerId),
    customerId,
    channel: contact.channel,
    identity: contact.identity,
    ideaId: change.ideaId,
    title,
    from: change.from,
    to: change.to,
    ...(change.reason === undefined ? {} : { reason: change.reason }),
    subject,
    text,
    at: change.at,
  };
}

/**
 * The outbound touchpoint that records a notification on the supporter's timeline. Its
 * log id is the notification id, so recording it again is a no-op.
 */
export function outboundTouchpointOf(n: IdeaStatusNotification): {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: IngestedEventMetadata;
} {
  return {
    streamId: customerStreamId(n.customerId),
    id: n.id,
    type: 'touchpoint.recorded.v1',
    data: {
      channel: n.channel,
      direction: 'outbound',
      identity: n.identity,
      content: { subject: n.subject, text: n.text },
      metadata: { 'idea.id': n.ideaId, 'idea.status': n.to, 'notification.id': n.id },
    },
    metadata: {
      ce: { id: n.id, source: IDEA_NOTIFICATION_SOURCE, time: n.at },
      occurredAt: n.at,
      customerId: n.customerId,
      identityKey: identityKey(n.identity),
    },
  };
}

/** A touchpoint as the contact choice needs it. */
export interface ContactTouchpoint {
  readonly channel: Channel;
  readonly direction: 'inbound' | 'outbound';
  readonly identity: ChannelIdentity;
  readonly occurredAt: string;
}

/**
 * The channel a customer uses most (inbound touchpoints; a tie goes to the channel used
 * most recently), with the identity of their latest touchpoint on it; null without any.
 */
export function mainContactOf(touchpoints: Iterable<ContactTouchpoint>): SupporterContact | null {
  const perChannel = new Map<Channel, { count: number; latest: ContactTouchpoint }>();
  for (const tp of touchpoints) {
    if (tp.direction !== 'inbound') continue;
    const seen = perChannel.get(tp.channel);
    if (!seen) perChannel.set(tp.channel, { count: 1, latest: tp });
    else {
      seen.count += 1;
      if (tp.occurredAt >= seen.latest.occurredAt) seen.latest = tp;
    }
  }
  let best: { count: number; latest: ContactTouchpoint } | undefined;
  for (const candidate of perChannel.values()) {
    if (
      !best ||
      candidate.count > best.count ||
      (candidate.count === best.count && candidate.latest.occurredAt > best.latest.occurredAt)
    )
      best = candidate;
  }
  return best ? { channel: best.latest.channel, identity: best.latest.identity } : null;
}
