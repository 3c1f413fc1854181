import { parseInboundEvent } from '@rapport/wire';
import { demoTouchpoints } from './demo-touchpoints';

describe('demoTouchpoints', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const events = demoTouchpoints({ customers: 300, days: 120, now, seed: 42 });

  it('is valid input for the platform, every single event', () => {
    const refused = events.map((e) => parseInboundEvent(e, { now })).filter((r) => !r.ok);
    expect(refused).toEqual([]);
  });

  it('covers hundreds of customers, every main channel, both directions and months of history', () => {
    const identities = new Set(events.map((e) => (e.data.identity as { value: string }).value));
    expect(identities.size).toBe(300);
    const channels = new Set(events.map((e) => e.data.channel).filter(Boolean));
    expect([...channels].sort()).toEqual(['chat', 'email', 'in_person', 'phone', 'social']);
    expect(new Set(events.map((e) => e.data.direction)).size).toBeGreaterThanOrEqual(2);
    const times = events.map((e) => Date.parse(e.time));
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(90 * 24 * 3600 * 1000);
    expect(new Set(events.map((e) => `${e.source}/${e.id}`)).size).toBe(events.length);
  });

  it('is deterministic for a seed', () => {
    expect(demoTouchpoints({ customers: 5, days: 30, now, seed: 7 })).toEqual(
      demoTouchpoints({ customers: 5, days: 30, now, seed: 7 }),
    );
  });
});
