import { INBOUND_EVENT_SCHEMAS, INBOUND_EVENT_TYPES } from '@rapport/domain';
import { CloudEventEnvelope } from '@rapport/wire';
import fc from 'fast-check';
import { hostileVariant } from './hostile-variant';
import { schemaPaths } from './schema-paths';

/**
 * A valid event of each accepted type with every optional field filled, so that every
 * field of the schema has something to break. `hostile-events.spec.ts` checks that each is
 * valid and that every type the catalogue accepts has one.
 */
export const VALID_EVENT_SAMPLES: Readonly<
  Record<string, (id: string) => Record<string, unknown>>
> = {
  'touchpoint.recorded.v1': (id) => ({
    ...envelope(id, 'touchpoint.recorded.v1'),
    data: {
      channel: 'email',
      direction: 'inbound',
      identity: { kind: 'email', value: `Fuzz.${id}@Example.com`, verified: true },
      identities: [{ kind: 'phone', value: '+49 30 1234567', verified: false }],
      agent: { id: 'agent-7', name: 'Agent Seven' },
      content: {
        subject: 'Order 1234',
        text: 'Where is my parcel?',
        attachments: [{ name: 'label.pdf', mimeType: 'application/pdf', sizeBytes: 1024 }],
      },
      sentiment: -0.25,
      conversationId: `conv-${id}`,
      metadata: { campaign: 'spring', priority: 2, vip: true },
    },
  }),
  'survey.responded.v1': (id) => ({
    ...envelope(id, 'survey.responded.v1'),
    data: {
      identity: { kind: 'email', value: `fuzz.${id}@example.com` },
      channel: 'survey',
      answer: { kind: 'nps', score: 9, surveyId: 'q1' },
      comment: 'Quick and friendly',
      sentiment: 0.5,
    },
  }),
  'survey.responded.v2': (id) => ({
    ...envelope(id, 'survey.responded.v2'),
    data: {
      identity: { kind: 'social', network: 'instagram', value: `@fuzz_${id}`.slice(0, 30) },
      channel: 'social',
      answer: { kind: 'csat', score: 4 },
      comment: 'ok',
      sentiment: 0,
    },
  }),
};

function envelope(id: string, type: string) {
  return {
    specversion: '1.0',
    id,
    source: 'adapters/fuzz',
    type,
    time: '2026-03-01T09:00:00Z',
    subject: 'fuzz',
    datacontenttype: 'application/json',
    dataschema: 'https://example.com/schema',
  };
}

/** The paths of an event of `type`: its envelope's and, under `data`, its payload's. */
export function eventPaths(type: string): string[][] {
  const schema = INBOUND_EVENT_SCHEMAS.get(type);
  if (!schema) throw new Error(`no inbound event type ${type}`);
  return [
    ...schemaPaths(CloudEventEnvelope).filter(([field]) => field !== 'data'),
    ['data'],
    ...schemaPaths(schema.dataClass, ['data']),
  ];
}

/**
 * A structurally hostile variant of a valid event of any accepted type, with the id
 * given (unless a mutation broke the id itself).
 */
export function hostileInboundEvent(id: string): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .constantFrom(...INBOUND_EVENT_TYPES)
    .chain((type) => hostileVariant(VALID_EVENT_SAMPLES[type](id), eventPaths(type)));
}
