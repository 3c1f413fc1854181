import {
  closenessAt,
  closenessConfig,
  closenessReport,
  DAY_MS,
  DEFAULT_CLOSENESS_CONFIG,
  foldClosenessFacts,
  parseClosenessConfig,
  scoreOfRankKey,
  closenessRankKey,
  type ClosenessFact,
} from './index';

const config = DEFAULT_CLOSENESS_CONFIG;
const asOf = Date.parse('2026-06-30T12:00:00Z');
let position = 0;
const at = (daysAgo: number) => asOf - daysAgo * DAY_MS;

function touchpoint(
  daysAgo: number,
  fields: Partial<Extract<ClosenessFact, { kind: 'touchpoint' }>> = {},
): ClosenessFact {
  position += 1;
  return {
    kind: 'touchpoint',
    eventId: `e-${position}`,
    position,
    customerId: 'c-1',
    bucket: 'email:c-1@example.com',
    occurredAtMs: at(daysAgo),
    channel: 'email',
    direction: 'inbound',
    ...fields,
  };
}

const scoreOf = (facts: ClosenessFact[], asOfMs = asOf) =>
  closenessAt(foldClosenessFacts('c-1', facts, config), asOfMs, config);

// The examples of README.md, "Closeness score", computed by hand from the formula.
describe('closeness score: hand-computed examples (defaults: h = 30 d, S½ = 10)', () => {
  it('one inbound visit in person, one half-life ago', () => {
    // intensity 5 (in person) × 1 (inbound) × 1.5 (two-way by nature) = 7.5, halved: 3.75
    // breadth: 1 channel, last used one half-life ago: 0.5          → R = 4.25
    const result = scoreOf([touchpoint(30, { channel: 'in_person' })]);
    expect(result.strength).toBeCloseTo(4.25, 12);
    expect(result.score).toBeCloseTo(100 * (1 - 2 ** -0.425), 12); // 25.516
    expect(result.score).toBeCloseTo(25.516, 3);
    expect(result.components.intensity).toBeCloseTo((result.score * 3.75) / 4.25, 12);
    expect(result.components.breadth).toBeCloseTo((result.score * 0.5) / 4.25, 12);
    expect(result.components.emotion).toBe(0);
  });

  it('an inbound e-mail with sentiment 0.5 answered today: a two-way conversation', () => {
    // inbound e-mail 1 × 1 = 1; the reply 1 × 0.25 (outbound) × 1.5 (two-way) = 0.375
    // emotion 2 × 0.5 = 1; breadth 1 (e-mail, used today)               → R = 3.375
    const result = scoreOf([
      touchpoint(0, { conversationId: 't-1', sentiment: 0.5 }),
      touchpoint(0, { conversationId: 't-1', direction: 'outbound' }),
    ]);
    expect(result.strength).toBeCloseTo(3.375, 12);
    expect(result.score).toBeCloseTo(100 * (1 - 2 ** -0.3375), 12); // 20.859
    expect(result.score).toBeCloseTo(20.859, 3);
    expect(result.components).toEqual({
      intensity: expect.closeTo((result.score * 1.375) / 3.375, 12),
      emotion: expect.closeTo(result.score / 3.375, 12),
      breadth: expect.closeTo(result.score / 3.375, 12),
      coCreation: 0,
    });
  });

  it('an NPS 10 answered two half-lives ago', () => {
    // intensity: survey channel 0.5 × 1; emotion 3 × (10 − 5)/5 = 3; breadth 1
    // (0.5 + 3 + 1) × 2^−2 = 1.125
    position += 1;
    const result = scoreOf([
      {
        kind: 'survey',
        eventId: 'nps',
        position,
        customerId: 'c-1',
        bucket: 'email:c-1@example.com',
        occurredAtMs: at(60),
        channel: 'survey',
        survey: { kind: 'nps', score: 10 },
      },
    ]);
    expect(result.strength).toBeCloseTo(1.125, 12);
    expect(result.score).toBeCloseTo(100 * (1 - 2 ** -0.1125), 12); // 7.502
    expect(result.score).toBeCloseTo(7.502, 3);
  });

  it('an outbound broadcast e-mail counts a quarter of an inbound one and adds no breadth', () => {
    const result = scoreOf([touchpoint(0, { direction: 'outbound' })]);
    expect(result.strength).toBeCloseTo(0.25, 12);
  });

  it('negative sentiment earns no emotion (but the contact still counts)', () => {
    const result = scoreOf([touchpoint(0, { sentiment: -1 })]);
    expect(result.components.emotion).toBe(0);
    expect(result.strength).toBeCloseTo(2, 12); // intensity 1 + breadth 1
  });

  it('co-creation: an idea submitted, a vote and a comment today', () => {
    position += 3;
    const idea = (kind: 'submitted' | 'voted' | 'commented', p: number): ClosenessFact => ({
      kind: 'co-creation',
      coCreation: kind,
      eventId: `idea-${p}`,
      position: p,
      customerId: 'c-1',
      bucket: 'customer:c-1',
      occurredAtMs: asOf,
    });
    const result = scoreOf([
      idea('submitted', position - 2),
      idea('voted', position - 1),
      idea('commented', position),
    ]);
    expect(result.strength).toBeCloseTo(3 + 1 + 1.5, 12);
    expect(result.components.coCreation).toBeCloseTo(result.score, 12);
  });

  it('a score is 0 with no contact and the ranking key gives the same score', () => {
    expect(scoreOf([]).score).toBe(0);
    const facts = [touchpoint(3, { channel: 'chat', sentiment: 0.9 }), touchpoint(40)];
    const state = foldClosenessFacts('c-1', facts, config);
    expect(scoreOfRankKey(closenessRankKey(state, config), asOf, config)).toBe(
      closenessAt(state, asOf, config).score,
    );
  });

  it('the report lists the heaviest contributors and a daily history ending at asOf', () => {
    const facts = [touchpoint(10), touchpoint(2, { channel: 'in_person' }), touchpoint(1)];
    const report = closenessReport('c-1', facts, asOf, config, { days: 5, contributors: 2 });
    expect(report.topContributors.map((c) => c.eventId)).toEqual([
      facts[1].eventId,
      facts[2].eventId,
    ]);
    expect(report.history.map((p) => p.date)).toEqual([
      '2026-06-26',
      '2026-06-27',
      '2026-06-28',
      '2026-06-29',
      '2026-06-30',
    ]);
    expect(report.history[4].score).toBe(report.score);
    expect(report.lastContactAt).toBe(new Date(at(1)).toISOString());
    // A later fact does not change the numbers as of an earlier time.
    const later = closenessReport('c-1', [...facts, touchpoint(-1)], asOf, config, { days: 5 });
    expect(later.score).toBe(report.score);
    expect(later.history).toEqual(report.history);
  });
});

describe('closeness configuration', () => {
  it('merges overrides over the defaults', () => {
    const c = closenessConfig({ halfLifeDays: 14, channelWeights: { social: 0.1 } });
    expect(c.halfLifeDays).toBe(14);
    expect(c.channelWeights.social).toBe(0.1);
    expect(c.channelWeights.in_person).toBe(5);
  });
  it('refuses a bad setting by name', () => {
    expect(() => closenessConfig({ halfLifeDays: 0 })).toThrow(/halfLifeDays/);
    expect(() => parseClosenessConfig('{"channelWeights":{"email":-1}}')).toThrow(
      /channelWeights.email/,
    );
    expect(() => parseClosenessConfig('nope')).toThrow(/not JSON/);
    expect(parseClosenessConfig(undefined)).toEqual(DEFAULT_CLOSENESS_CONFIG);
  });
});
