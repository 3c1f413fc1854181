import fc from 'fast-check';
import { mapPersonalFields, type PersonalFieldVisitor } from './personal-fields';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What the walk of a touchpoint or survey response must do, written as plainly as it can be:
 * a deep copy with each personal text replaced, field by field, in the documented order.
 */
function expected(
  event: { type: string; data: Json; metadata: Json },
  visit: PersonalFieldVisitor,
): { data: unknown; metadata: unknown } {
  const data = structuredClone(event.data);
  const metadata = structuredClone(event.metadata);
  const subject = metadata.customerId as string;
  const text = (holder: Json, key: string, field: string) => {
    if (key in holder && typeof holder[key] === 'string')
      holder[key] = visit(subject, field, holder[key] as string);
  };
  const keys = event.type.startsWith('touchpoint.recorded')
    ? ['identity', 'identities', 'content', 'metadata', 'name']
    : ['identity', 'identities', 'comment'];
  for (const key of keys) {
    if (!(key in data)) continue;
    const value = data[key];
    if (key === 'identity') {
      if (isObject(value)) text(value, 'plainValue', 'identity.plainValue');
    } else if (key === 'identities') {
      if (Array.isArray(value))
        for (const identity of value)
          if (isObject(identity)) text(identity, 'plainValue', 'identities[].plainValue');
    } else if (key === 'content') {
      if (!isObject(value)) continue;
      text(value, 'subject', 'content.subject');
      text(value, 'text', 'content.text');
      if (Array.isArray(value.attachments))
        for (const attachment of value.attachments)
          if (isObject(attachment)) text(attachment, 'name', 'content.attachments[].name');
    } else if (key === 'metadata') {
      if (isObject(value)) for (const name of Object.keys(value)) text(value, name, 'metadata.*');
    } else text(data, key, key);
  }
  if (isObject(metadata.ce)) text(metadata.ce, 'subject', 'ce.subject');
  return { data, metadata };
}

const anything = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.constant(null));
const identity = fc.oneof(
  fc.record(
    { kind: fc.constant('email'), value: fc.string(), plainValue: anything },
    { requiredKeys: ['kind'] },
  ),
  anything,
);
const touchpointData = fc.record(
  {
    channel: fc.constant('email'),
    identity,
    identities: fc.oneof(fc.array(identity, { maxLength: 3 }), anything),
    content: fc.oneof(
      fc.record(
        {
          subject: anything,
          text: anything,
          attachments: fc.oneof(
            fc.array(
              fc.oneof(
                fc.record({ name: anything, size: fc.nat() }, { requiredKeys: ['size'] }),
                anything,
              ),
              { maxLength: 3 },
            ),
            anything,
          ),
        },
        { requiredKeys: [] },
      ),
      anything,
    ),
    metadata: fc.oneof(fc.dictionary(fc.string({ maxLength: 4 }), anything), anything),
    name: anything,
    comment: anything,
  },
  { requiredKeys: ['channel'] },
);
const eventArb = fc.record({
  type: fc.constantFrom('touchpoint.recorded.v1', 'survey.responded.v1'),
  data: touchpointData,
  metadata: fc.record(
    {
      customerId: fc.constant('c-1'),
      ce: fc.oneof(
        fc.record({ source: fc.constant('s'), subject: anything }, { requiredKeys: ['source'] }),
        anything,
      ),
    },
    { requiredKeys: ['customerId'] },
  ),
});

describe('mapPersonalFields on touchpoints and survey responses (property)', () => {
  it('visits the personal texts in the documented order and changes nothing else', () => {
    fc.assert(
      fc.property(eventArb, fc.boolean(), (event, changeSome) => {
        const before = structuredClone(event);
        const visited: string[] = [];
        // Changes every other text (or none), so that unchanged objects are checked too.
        const visit: PersonalFieldVisitor = (subject, field, value) => {
          visited.push(`${subject} ${field} ${value}`);
          return changeSome && visited.length % 2 === 1 ? `sealed(${value})` : value;
        };
        const walked = mapPersonalFields(event, visit);
        const walkedVisits = visited.splice(0);
        const oracle = expected(event as never, visit);
        expect(walkedVisits).toEqual(visited);
        expect(walked).toEqual(oracle);
        // The input is never mutated, and nothing is copied when nothing changed.
        expect(event).toEqual(before);
        if (!changeSome || walkedVisits.length === 0) {
          expect(walked.data).toBe(event.data);
          expect(walked.metadata).toBe(event.metadata);
        }
      }),
      { numRuns: 500 },
    );
  });
});
