import fc from 'fast-check';
import { VALID_EVENT_SAMPLES } from '@rapport/testing';
import { parseInboundEvent } from './parse-inbound-event';

/**
 * Refusal reasons end up in logs, HTTP answers and DLQ headers: whatever personal value made
 * an event invalid (an identity, a message text) must not be repeated in them.
 */
describe('refusal reasons carry no personal value', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const MARK = 'Pz7Qx';
  const personalPaths: readonly (readonly string[])[] = [
    ['data', 'identity', 'value'],
    ['data', 'identities', '0', 'value'],
    ['data', 'content', 'text'],
    ['data', 'content', 'subject'],
    ['data', 'agent', 'name'],
  ];
  const setAt = (event: Record<string, unknown>, path: readonly string[], value: unknown) => {
    let node = event as Record<string, unknown>;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
    node[path[path.length - 1]] = value;
  };

  it('for identity values and texts that are too long, malformed or of the wrong shape', () => {
    let refused = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...personalPaths),
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 30 }).map((s) => `${MARK}${s} @@ ${MARK}`),
          fc.constant(`${MARK}${'x'.repeat(70_000)}`),
          fc.constant(`not an address ${MARK}`),
          fc.constant(`+99 ${MARK}`),
        ),
        (path, value) => {
          const event = structuredClone(VALID_EVENT_SAMPLES['touchpoint.recorded.v1']('p1'));
          setAt(event, path, value);
          const result = parseInboundEvent(event, { now });
          if (!result.ok) {
            refused += 1;
            expect(JSON.stringify(result.errors)).not.toContain(MARK);
          }
        },
      ),
      { numRuns: 200 },
    );
    expect(refused).toBeGreaterThan(50); // the property was exercised on refusals, not only on valid events
  });
});
