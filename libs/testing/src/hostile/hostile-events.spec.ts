import { INBOUND_EVENT_TYPES } from '@rapport/domain';
import { parseInboundEvent } from '@rapport/wire';
import fc from 'fast-check';
import { VALID_EVENT_SAMPLES, eventPaths, hostileInboundEvent } from './hostile-events';

const now = new Date('2026-06-01T00:00:00Z');

describe('hostile events for the fuzz suites', () => {
  it.each(INBOUND_EVENT_TYPES.map((t) => [t]))('have a valid sample of %s', (type) => {
    const sample = VALID_EVENT_SAMPLES[type];
    expect(sample).toBeDefined();
    const parsed = parseInboundEvent(sample('s-1'), { now });
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
  });

  it('reach every nested field of the schemas', () => {
    const paths = eventPaths('touchpoint.recorded.v1').map((p) => p.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'time',
        'data.identity.kind',
        'data.identities.0.verified',
        'data.content.attachments.0.sizeBytes',
        'data.agent.name',
      ]),
    );
  });

  it('are refused with field errors, or accepted, by the parser; never a throw', () => {
    fc.assert(
      fc.property(hostileInboundEvent('h-1'), (event) => {
        const parsed = parseInboundEvent(event, { now });
        if (!parsed.ok) {
          expect(parsed.errors.length).toBeGreaterThan(0);
          for (const e of parsed.errors) expect(typeof e.message).toBe('string');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
