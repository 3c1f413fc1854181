import { parseInboundEvent } from './parse-inbound-event';
import { toLogEvent } from './to-log-event';

const now = new Date('2026-06-01T12:00:00Z');
const touchpoint = (data: Record<string, unknown>) => ({
  specversion: '1.0',
  id: 'mail-1',
  source: 'adapters/email',
  type: 'touchpoint.recorded.v1',
  time: '2026-05-31T09:30:00Z',
  data: {
    channel: 'email',
    direction: 'inbound',
    identity: { kind: 'email', value: 'ann@example.com' },
    ...data,
  },
});

/** The same parse serves HTTP and Kafka: what one refuses, the other dead-letters. */
describe('touchpoints carrying the name the channel saw', () => {
  it('keeps a valid name as given, into the log event', () => {
    const parsed = parseInboundEvent(touchpoint({ name: 'Ann Smith-Müller' }), { now });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.value.cloudEvent.data?.name).toBe('Ann Smith-Müller');
    expect((toLogEvent(parsed.value).data as { name?: string }).name).toBe('Ann Smith-Müller');
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['an object', { first: 'Ann' }],
    ['empty', ''],
    ['blank', '   '],
    ['too long', 'A'.repeat(201)],
    ['a line break', 'Ann\nSmith'],
    ['a control character', 'Ann\u0007'],
    ['a direction override', '\u202Enimda'],
    ['a lone surrogate', 'Ann \uD83D'],
  ])('refuses a name that is %s, naming the field', (_what, name) => {
    const parsed = parseInboundEvent(touchpoint({ name }), { now });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.path)).toContain('data.name');
    // The refusal never quotes the value (it may be personal).
    if (typeof name === 'string' && name.trim() !== '')
      expect(JSON.stringify(parsed.errors)).not.toContain(name);
  });
});
