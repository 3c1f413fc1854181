import { faker } from '@faker-js/faker';
import { type Channel, type Direction } from '@rapport/domain';

export interface DemoOptions {
  readonly customers: number;
  /** History length, counted back from `now`. */
  readonly days: number;
  readonly now: Date;
  readonly seed: number;
}

/** A CloudEvent in structured JSON mode, as an adapter would POST it. */
export interface TouchpointCloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  data: Record<string, unknown>;
}

const DAY = 24 * 60 * 60 * 1000;

const SUBJECTS = [
  'Question about my order',
  'Delivery is late',
  'Thank you for the quick help!',
  'Can I change my subscription?',
  'Invoice seems wrong',
  'Idea: a refill option for the starter kit',
  'Return label request',
  'Loved the workshop last week',
];
const INBOUND_TEXTS = [
  'Hi, my parcel has not arrived yet — can you check where it is?',
  'The new version is great, but I miss the old export button.',
  'Could you send me the invoice for last month again?',
  'I would love a way to pause my plan over the summer.',
  'Your colleague in the shop was incredibly helpful, thanks!',
  'The app logs me out every time I switch accounts.',
  'Is the workshop on Saturday still happening?',
];
const OUTBOUND_TEXTS = [
  'Thanks for reaching out! I have checked with the carrier: it arrives tomorrow.',
  'I have re-sent the invoice; it should be in your inbox now.',
  'Good news: pausing is possible — I have set it up for July and August.',
  'We have passed your idea to the product team and will keep you posted.',
  'Sorry about that! A fix is on its way in the next release.',
];
const CHANNEL_WEIGHTS: [Channel, number][] = [
  ['email', 35],
  ['chat', 25],
  ['social', 15],
  ['in_person', 12],
  ['phone', 10],
];

function pickChannel(): Channel {
  return faker.helpers.weightedArrayElement(
    CHANNEL_WEIGHTS.map(([value, weight]) => ({ value, weight })),
  );
}

/**
 * Realistic multi-channel history for a demo: each customer writes e-mails, chats,
 * mentions us on social media, visits the shop, calls, and answers the odd survey,
 * with replies from agents. Deterministic for a given seed and `now`.
 */
export function demoTouchpoints(options: DemoOptions): TouchpointCloudEvent[] {
  faker.seed(options.seed);
  const events: TouchpointCloudEvent[] = [];
  const start = options.now.getTime() - options.days * DAY;
  const agents = Array.from({ length: 6 }, (_, i) => ({
    id: `agent-${i + 1}`,
    name: faker.person.fullName(),
  }));

  for (let c = 0; c < options.customers; c += 1) {
    const first = faker.person.firstName();
    const last = faker.person.lastName();
    const email = faker.internet.email({
      firstName: first,
      lastName: last,
      provider: `${faker.word.noun()}.example`,
    });
    const identity = { kind: 'email', value: email, verified: true };
    const touches = faker.number.int({ min: 4, max: 30 });
    for (let t = 0; t < touches; t += 1) {
      const time = faker.number.int({ min: start, max: options.now.getTime() - 60_000 });
      const channel = pickChannel();
      const conversationId = `conv-${c}-${t}`;
      const inbound: TouchpointCloudEvent = {
        specversion: '1.0',
        id: `demo-${options.seed}-${c}-${t}-in`,
        source: `rapport-demo/${channel}`,
        type: 'touchpoint.recorded.v1',
        time: new Date(time).toISOString(),
        data: {
          channel,
          direction: 'inbound' satisfies Direction,
          identity,
          // The name the channel saw: an e-mail's display name, the chat or social profile's.
          name: `${first} ${last}`,
          content: {
            ...(channel === 'email' ? { subject: faker.helpers.arrayElement(SUBJECTS) } : {}),
            text: faker.helpers.arrayElement(INBOUND_TEXTS),
          },
          sentiment: Math.round(faker.number.float({ min: -0.8, max: 1 }) * 100) / 100,
          conversationId,
          metadata: { customerName: `${first} ${last}` },
        },
      };
      events.push(inbound);
      if (channel !== 'social' && faker.datatype.boolean(0.7)) {
        const replyTime = Math.min(
          time + faker.number.int({ min: 60_000, max: DAY }),
          options.now.getTime() - 1000,
        );
        events.push({
          ...inbound,
          id: `demo-${options.seed}-${c}-${t}-out`,
          time: new Date(replyTime).toISOString(),
          data: {
            channel,
            direction: 'outbound' satisfies Direction,
            identity,
            agent: faker.helpers.arrayElement(agents),
            content: { text: faker.helpers.arrayElement(OUTBOUND_TEXTS) },
            conversationId,
          },
        });
      }
    }
    if (faker.datatype.boolean(0.4)) {
      const nps = faker.number.int({ min: 0, max: 10 });
      events.push({
        specversion: '1.0',
        id: `demo-${options.seed}-${c}-survey`,
        source: 'rapport-demo/survey',
        type: 'survey.responded.v1',
        time: new Date(
          faker.number.int({ min: start, max: options.now.getTime() - 60_000 }),
        ).toISOString(),
        data: {
          identity,
          answer: { kind: 'nps', score: nps },
          ...(nps >= 9
            ? { comment: 'Always a pleasure, keep it up!' }
            : nps <= 6
              ? { comment: 'Support took too long to answer.' }
              : {}),
        },
      });
    }
  }
  return events;
}
