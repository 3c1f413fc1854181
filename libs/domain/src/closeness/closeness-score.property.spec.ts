import fc from 'fast-check';
import { CHANNELS, DIRECTIONS, type Channel } from '../channels';
import {
  closenessAt,
  closenessHistory,
  closenessStateAsOf,
  closenessRankKey,
  DAY_MS,
  DEFAULT_CLOSENESS_CONFIG,
  foldClosenessFacts,
  rescaleForwardSum,
  halfLifeMs,
  type ClosenessFact,
} from './index';
import { applyClosenessFact, type ClosenessState } from './closeness-state';

const config = DEFAULT_CLOSENESS_CONFIG;
const asOf = Date.parse('2026-09-01T00:00:00Z');
const YEAR = 365 * DAY_MS;

/** Facts at or before `asOf` (within a year), positions 1…n in log order. */
const factArb = (customerId = 'c-1') =>
  fc
    .oneof(
      fc.record({
        kind: fc.constant('touchpoint' as const),
        channel: fc.constantFrom(...CHANNELS),
        direction: fc.constantFrom(...DIRECTIONS),
        conversationId: fc.option(fc.constantFrom('t1', 't2', 't3'), { nil: undefined }),
        sentiment: fc.option(fc.double({ min: -1, max: 1, noNaN: true }), { nil: undefined }),
        occurredAtMs: fc.integer({ min: asOf - YEAR, max: asOf }),
      }),
      fc.record({
        kind: fc.constant('survey' as const),
        channel: fc.constantFrom(...CHANNELS),
        survey: fc.oneof(
          fc.record({ kind: fc.constant('nps' as const), score: fc.integer({ min: 0, max: 10 }) }),
          fc.record({ kind: fc.constant('csat' as const), score: fc.integer({ min: 1, max: 5 }) }),
        ),
        occurredAtMs: fc.integer({ min: asOf - YEAR, max: asOf }),
      }),
      fc.record({
        kind: fc.constant('co-creation' as const),
        coCreation: fc.constantFrom('submitted' as const, 'voted' as const, 'commented' as const),
        occurredAtMs: fc.integer({ min: asOf - YEAR, max: asOf }),
      }),
    )
    .map((f) => ({ ...f, customerId, eventId: '', position: 0 }) as ClosenessFact);

const factsArb = (customerId = 'c-1') =>
  fc
    .array(factArb(customerId), { maxLength: 30 })
    .map((facts) =>
      facts.map((f, i) => ({ ...f, eventId: `${customerId}-${i + 1}`, position: i + 1 })),
    );

const withNext = (facts: ClosenessFact[], fact: ClosenessFact): ClosenessFact[] => [
  ...facts,
  { ...fact, eventId: 'next', position: facts.length + 1 },
];
const score = (facts: ClosenessFact[], at = asOf) =>
  closenessAt(foldClosenessFacts('c-1', facts, config), at, config).score;

const inbound = (channel: Channel) =>
  fc
    .record({
      conversationId: fc.option(fc.constantFrom('t1', 't2', 't3'), { nil: undefined }),
      sentiment: fc.option(fc.double({ min: -1, max: 1, noNaN: true }), { nil: undefined }),
      occurredAtMs: fc.integer({ min: asOf - YEAR, max: asOf }),
    })
    .map(
      (f) =>
        ({
          ...f,
          kind: 'touchpoint',
          channel,
          direction: 'inbound',
          customerId: 'c-1',
          eventId: '',
          position: 0,
        }) as ClosenessFact,
    );

describe('closeness score properties', () => {
  it('a new inbound touchpoint never lowers the score', () => {
    fc.assert(
      fc.property(
        factsArb(),
        fc.constantFrom(...CHANNELS).chain(inbound),
        (facts, next) => score(withNext(facts, next)) >= score(facts),
      ),
    );
  });

  it('time passing with no contact never raises the score', () => {
    fc.assert(
      fc.property(factsArb(), fc.integer({ min: 0, max: 2 * YEAR }), (facts, later) => {
        const state = foldClosenessFacts('c-1', facts, config);
        return (
          closenessAt(state, asOf + later, config).score <= closenessAt(state, asOf, config).score
        );
      }),
    );
  });

  it('an in-person touchpoint adds more than an otherwise identical e-mail', () => {
    fc.assert(
      fc.property(
        factsArb(),
        inbound('email'),
        fc.constantFrom(...DIRECTIONS),
        (facts, email, direction) => {
          const asEmail = { ...email, direction } as ClosenessFact;
          const inPerson = { ...asEmail, channel: 'in_person' } as ClosenessFact;
          const base = score(facts);
          const viaEmail = score(withNext(facts, asEmail)) - base;
          const viaInPerson = score(withNext(facts, inPerson)) - base;
          // Strictly more, unless the score is already saturated at 100 in floating point.
          return score(withNext(facts, asEmail)) === 100
            ? viaInPerson >= viaEmail
            : viaInPerson > viaEmail;
        },
      ),
    );
  });

  it('sorting by the ranking key sorts by score at every moment', () => {
    fc.assert(
      fc.property(
        fc.array(factsArb(), { minLength: 2, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 3 * YEAR }), { minLength: 1, maxLength: 4 }),
        (perCustomer, moments) => {
          const states = perCustomer.map((facts, i) => foldClosenessFacts(`c-${i}`, facts, config));
          const byKey = [...states].sort(
            (a, b) => closenessRankKey(b, config) - closenessRankKey(a, config),
          );
          return moments.every((later) => {
            const scores = byKey.map((s) => closenessAt(s, asOf + later, config).score);
            return scores.every((s, i) => i === 0 || scores[i - 1] >= s);
          });
        },
      ),
    );
  });

  it('moving the landmark forward rescales every key by one factor and keeps the order', () => {
    fc.assert(
      fc.property(
        fc.array(factsArb(), { minLength: 2, maxLength: 8 }),
        fc.integer({ min: 1, max: 20 * YEAR }),
        (perCustomer, shift) => {
          const landmark = Date.parse(config.landmark);
          const keys = perCustomer.map((facts, i) =>
            closenessRankKey(foldClosenessFacts(`c-${i}`, facts, config), config),
          );
          const moved = keys.map((k) =>
            rescaleForwardSum(k, landmark, landmark + shift, halfLifeMs(config)),
          );
          const order = (values: number[]) =>
            values.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
          return order(keys).every(([, i], r) => order(moved)[r][1] === i);
        },
      ),
    );
  });

  it('the same facts give the same numbers, folded in one go or in two halves', () => {
    fc.assert(
      fc.property(factsArb(), fc.nat(), (facts, cut) => {
        const split = cut % (facts.length + 1);
        const whole = foldClosenessFacts('c-1', facts, config);
        const first = foldClosenessFacts('c-1', facts.slice(0, split), config);
        // Resuming from a stored state (JSON, as adapters keep it) gives the identical state.
        let resumed = JSON.parse(JSON.stringify(first));
        for (const fact of facts.slice(split)) resumed = foldFrom(resumed, fact);
        expect(resumed).toEqual(whole);
      }),
    );
  });
});

function foldFrom(state: ClosenessState, fact: ClosenessFact): ClosenessState {
  return applyClosenessFact(state, fact, config).state;
}

describe('closeness history', () => {
  it('each daily point equals the score of the facts up to that time, folded in log order', () => {
    fc.assert(
      fc.property(factsArb(), fc.integer({ min: 1, max: 60 }), (facts, days) => {
        const history = closenessHistory('c-1', facts, asOf, config, days);
        const today = Math.floor(asOf / DAY_MS) * DAY_MS;
        history.forEach((point, i) => {
          const k = days - 1 - i;
          const at = k === 0 ? asOf : today - k * DAY_MS + DAY_MS - 1;
          const state = closenessStateAsOf('c-1', facts, at, config);
          expect(point.score).toBe(closenessAt(state, at, config).score);
        });
      }),
    );
  });
});
