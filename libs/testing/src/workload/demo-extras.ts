import { ideaIdForTouchpoint, type IdeaStatus, logEventIdFor } from '@rapport/domain';
import { type TouchpointCloudEvent } from './demo-touchpoints';

const DAY = 24 * 60 * 60 * 1000;

/** Ideas customers bring in; the last one duplicates the first (for staff to merge). */
const IDEAS: readonly { title: string; channel: string; supporters: number }[] = [
  { title: 'A refill option for the starter kit', channel: 'email', supporters: 14 },
  { title: 'Pause my plan over the summer', channel: 'chat', supporters: 11 },
  { title: 'Bring back the old export button', channel: 'social', supporters: 8 },
  { title: 'Weekend opening hours in the city shop', channel: 'in_person', supporters: 6 },
  { title: 'Stay signed in when switching accounts', channel: 'chat', supporters: 5 },
  { title: 'Invoices as PDF in the app', channel: 'email', supporters: 3 },
  { title: 'A loyalty card for workshop regulars', channel: 'phone', supporters: 2 },
  { title: 'Refills for the starter kit', channel: 'social', supporters: 2 },
];

/** Status changes staff made, by idea index: its path through the workflow. */
export const DEMO_IDEA_STATUSES: readonly {
  idea: number;
  to: IdeaStatus[];
  reason?: string;
}[] = [
  { idea: 0, to: ['under_review', 'planned'] },
  { idea: 1, to: ['under_review', 'planned', 'in_progress'] },
  { idea: 2, to: ['under_review'] },
  { idea: 4, to: ['under_review', 'planned', 'in_progress', 'shipped'] },
  { idea: 6, to: ['declined'], reason: 'The workshops already have a members list.' },
];

export interface DemoExtras {
  readonly events: TouchpointCloudEvent[];
  /** The ideas submitted, in `IDEAS` order. */
  readonly ideaIds: string[];
  /** E-mail addresses of customers holding an open merge suggestion. */
  readonly suggestionEmails: string[];
}

/**
 * What the console needs to show beside the demo's history: ideas submitted and voted on
 * across channels (a duplicate among them), anonymous chat visitors who sign in (merged
 * automatically: merge history to undo), and phone numbers an e-mail names without
 * verifying them (open merge suggestions). Deterministic for `now` and the customers given.
 */
export function demoExtras(emails: readonly string[], now: Date): DemoExtras {
  const events: TouchpointCloudEvent[] = [];
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY).toISOString();
  const touchpoint = (
    id: string,
    channel: string,
    time: string,
    data: Record<string, unknown>,
  ): TouchpointCloudEvent => ({
    specversion: '1.0',
    id,
    source: `rapport-demo/${channel}`,
    type: 'touchpoint.recorded.v1',
    time,
    data: { channel, direction: 'inbound', ...data },
  });
  const email = (i: number) => ({
    kind: 'email',
    value: emails[i % emails.length],
    verified: true,
  });

  const ideaIds = IDEAS.map((idea, k) => {
    const submit = touchpoint(`demo-idea-${k}`, idea.channel, at(70 - k * 6), {
      identity: email(k * 17 + 3),
      content: { text: `Idea: ${idea.title.toLowerCase()}?` },
      metadata: { 'idea.action': 'submit', 'idea.title': idea.title },
    });
    events.push(submit);
    const ideaId = ideaIdForTouchpoint(logEventIdFor(submit.source, submit.id));
    const channels = ['email', 'chat', 'social', 'phone', 'in_person'];
    for (let v = 0; v < idea.supporters; v += 1) {
      const channel = channels[(k + v) % channels.length];
      events.push(
        touchpoint(`demo-idea-${k}-vote-${v}`, channel, at(65 - k * 6 - v * 0.5), {
          identity: email(k * 17 + 4 + v * 5),
          content: { text: `+1 for "${idea.title}"` },
          metadata: { 'idea.action': 'vote', 'idea.id': ideaId },
        }),
      );
    }
    return ideaId;
  });

  // Chat visitors who later sign in with their e-mail: merged automatically (anonymous-signed-in).
  const visitorNames = ['Lena', 'Tomás', 'Aiko', 'Björn', 'Zoë'];
  for (let n = 0; n < 5; n += 1) {
    const visitor = { kind: 'chat', value: `visitor-demo-${n}` };
    events.push(
      touchpoint(`demo-visitor-${n}-first`, 'chat', at(20 + n), {
        identity: visitor,
        name: visitorNames[n], // typed into the chat widget
        content: { text: 'Hi! Do you ship to Austria?' },
      }),
      touchpoint(`demo-visitor-${n}-signed-in`, 'chat', at(19 + n), {
        identity: visitor,
        identities: [email(n * 29 + 11)],
        content: { text: 'I have signed in now, here is my order question.' },
      }),
    );
  }

  // A caller's number that an e-mail names, unverified: a merge suggestion for staff.
  const suggestionEmails: string[] = [];
  for (let n = 0; n < 6; n += 1) {
    const phone = { kind: 'phone', value: `+49 151 2345 ${String(1000 + n)}` };
    const customer = email(n * 31 + 7);
    suggestionEmails.push(customer.value);
    events.push(
      touchpoint(`demo-caller-${n}`, 'phone', at(12 + n), {
        identity: phone,
        content: { text: 'Calling about my delivery, please call me back.' },
      }),
      touchpoint(`demo-caller-${n}-mail`, 'email', at(10 + n), {
        identity: customer,
        identities: [{ ...phone, verified: false }],
        content: { subject: 'Call back', text: 'You can also reach me on my mobile.' },
      }),
    );
  }
  return { events, ideaIds, suggestionEmails };
}
