import { type CustomerRedirects, NO_CUSTOMER_REDIRECTS } from './customer-redirects';
import { decideIdea, type IdeaCommand } from './decide-idea';
import { foldIdea, type IdeaState } from './idea';
import { type IdeaEvent, type IdeaOrigin, ideaSubmitted, ideaVoted } from './idea-events';
import { type IdeaRefusal } from './idea-refusal';

export const AT = '2026-03-01T10:00:00.000Z';
export const IDEA = 'idea-1';
export const ANN = 'cust-ann';
export const BOB = 'cust-bob';
export const STAFF_ID = 'staff-7';
export const BY_STAFF: IdeaOrigin = { kind: 'staff', staffId: STAFF_ID };

export function viaTouchpoint(
  id: string,
  channel: 'email' | 'chat' | 'social' = 'chat',
): IdeaOrigin {
  return { kind: 'touchpoint', touchpointEventId: id, channel };
}

export function submittedBy(customerId: string, ideaId = IDEA, title = 'Dark mode'): IdeaEvent[] {
  const origin = viaTouchpoint(`tp-${ideaId}`);
  return [
    ideaSubmitted({ ideaId, title, customerId, origin, at: AT }),
    ideaVoted({ ideaId, customerId, origin, at: AT }),
  ];
}

/** Given `events`, when `command`: the decision. */
export function given(
  events: readonly IdeaEvent[],
  command: IdeaCommand,
  redirects: CustomerRedirects = NO_CUSTOMER_REDIRECTS,
) {
  const state: IdeaState = foldIdea(events);
  return decideIdea(state, command, redirects);
}

export function thenEvents(decision: ReturnType<typeof given>): IdeaEvent[] {
  if (!decision.ok) throw new Error(`refused: ${JSON.stringify(decision.errors)}`);
  return decision.value;
}

export function thenRefused(decision: ReturnType<typeof given>): IdeaRefusal {
  if (decision.ok) throw new Error(`accepted: ${JSON.stringify(decision.value)}`);
  return decision.errors[0];
}
