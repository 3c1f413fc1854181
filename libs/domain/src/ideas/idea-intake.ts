import { nameBasedUuid } from '../ids/name-based-uuid';
import { type Channel } from '../channels';
import { type IdeaCommand } from './decide-idea';

/** Idea ids derived from the touchpoint that submitted them. */
const ideaIdOfTouchpoint = nameBasedUuid('c5a9e3d1-7f24-4b86-9e0a-1d3f5b7c9e28');

/**
 * Touchpoint metadata keys an adapter sets to bring an idea in through any channel:
 * `idea.action` = `submit` (with `idea.title`, optional `idea.description`),
 * `vote` or `withdraw` (with `idea.id`).
 */
export const IdeaMetadataKeys = {
  action: 'idea.action',
  title: 'idea.title',
  description: 'idea.description',
  ideaId: 'idea.id',
} as const;

/** The idea a touchpoint submits: derived from its log event id, so a replay finds the same idea. */
export function ideaIdForTouchpoint(touchpointEventId: string): string {
  return ideaIdOfTouchpoint(touchpointEventId);
}

export interface IntakeTouchpoint {
  readonly eventId: string;
  readonly customerId: string;
  readonly channel: Channel;
  readonly direction: 'inbound' | 'outbound';
  readonly occurredAt: string;
  readonly metadata?: Readonly<Record<string, string | number | boolean>>;
}

/** The idea command an inbound touchpoint carries, if any (and the idea it is for). */
export function ideaCommandOfTouchpoint(
  tp: IntakeTouchpoint,
): { readonly ideaId: string; readonly command: IdeaCommand } | null {
  if (tp.direction !== 'inbound' || !tp.metadata) return null;
  const action = tp.metadata[IdeaMetadataKeys.action];
  const origin = {
    kind: 'touchpoint' as const,
    touchpointEventId: tp.eventId,
    channel: tp.channel,
  };
  const text = (key: string) => {
    const value = tp.metadata?.[key];
    return typeof value === 'string' && value.trim() ? value : undefined;
  };
  if (action === 'submit') {
    const title = text(IdeaMetadataKeys.title);
    if (!title) return null;
    const description = text(IdeaMetadataKeys.description);
    const ideaId = ideaIdForTouchpoint(tp.eventId);
    return {
      ideaId,
      command: {
        kind: 'submit',
        ideaId,
        title,
        ...(description ? { description } : {}),
        customerId: tp.customerId,
        origin,
        at: tp.occurredAt,
      },
    };
  }
  if (action === 'vote' || action === 'withdraw') {
    const ideaId = text(IdeaMetadataKeys.ideaId);
    if (!ideaId) return null;
    return {
      ideaId,
      command: {
        kind: action === 'vote' ? 'vote' : 'withdraw-vote',
        customerId: tp.customerId,
        origin,
        at: tp.occurredAt,
      },
    };
  }
  return null;
}
