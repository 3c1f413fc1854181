import { type Channel, type Direction } from '../channels';
import { type ClosenessConfig, DAY_MS, halfLifeMs } from './closeness-config';
import { type ClosenessFact } from './closeness-fact';
import { closenessAt, type ClosenessScore } from './closeness-score';
import { applyClosenessFact, emptyClosenessState, type ClosenessState } from './closeness-state';
import { forwardWeight } from './forward-decay';

/** A fact and the points it contributes to the score at `asOf`. */
export interface ClosenessContributor {
  readonly eventId: string;
  readonly position: number;
  readonly occurredAt: string;
  readonly kind: ClosenessFact['kind'];
  readonly channel?: Channel;
  readonly direction?: Direction;
  readonly twoWay?: boolean;
  /** Its share of the score (intensity + emotion + co-creation; breadth belongs to channels). */
  readonly points: number;
}

export interface ClosenessHistoryPoint {
  /** UTC day (YYYY-MM-DD); the score at its end, or at `asOf` for the day of `asOf`. */
  readonly date: string;
  readonly score: number;
}

export interface ClosenessReport extends ClosenessScore {
  readonly customerId: string;
  readonly asOf: string;
  /** The latest contact at or before `asOf`. */
  readonly lastContactAt: string | null;
  /** Channels taken part on, with the latest use of each. */
  readonly channels: Readonly<Partial<Record<Channel, string>>>;
  readonly topContributors: readonly ClosenessContributor[];
  readonly history: readonly ClosenessHistoryPoint[];
}

export interface ClosenessReportOptions {
  /** Days of history, the day of `asOf` included (default 30). */
  readonly days?: number;
  /** How many contributors to list (default 5). */
  readonly contributors?: number;
}

/** Facts in log order: the order the projection folds them in (and so the same numbers). */
export function inLogOrder(facts: readonly ClosenessFact[]): ClosenessFact[] {
  return [...facts].sort((a, b) => a.position - b.position);
}

/** The state of the facts that happened at or before `asOfMs`, folded in log order. */
export function closenessStateAsOf(
  customerId: string,
  facts: readonly ClosenessFact[],
  asOfMs: number,
  config: ClosenessConfig,
): ClosenessState {
  let state = emptyClosenessState(customerId, config);
  for (const fact of inLogOrder(facts))
    if (fact.occurredAtMs <= asOfMs) state = applyClosenessFact(state, fact, config).state;
  return state;
}

/**
 * Everything the customer closeness endpoint shows, as of `asOfMs`: score, components, the
 * contributors that weigh most, and a daily history. Only facts at or before `asOfMs` count,
 * so the same facts and the same `asOfMs` always give the same numbers.
 */
export function closenessReport(
  customerId: string,
  facts: readonly ClosenessFact[],
  asOfMs: number,
  config: ClosenessConfig,
  options: ClosenessReportOptions = {},
): ClosenessReport {
  const ordered = inLogOrder(facts).filter((f) => f.occurredAtMs <= asOfMs);
  let state = emptyClosenessState(customerId, config);
  const weighed: { fact: ClosenessFact; value: number; twoWay: boolean }[] = [];
  for (const fact of ordered) {
    const applied = applyClosenessFact(state, fact, config);
    state = applied.state;
    const { intensity, emotion, coCreation, twoWay } = applied.weights;
    const decay = forwardWeight(fact.occurredAtMs, asOfMs, halfLifeMs(config));
    weighed.push({ fact, value: (intensity + emotion + coCreation) * decay, twoWay });
  }
  const now = closenessAt(state, asOfMs, config);
  const perStrength = now.strength > 0 ? now.score / now.strength : 0;
  const topContributors = weighed
    .filter((w) => w.value > 0)
    .sort((a, b) => b.value - a.value || a.fact.position - b.fact.position)
    .slice(0, options.contributors ?? 5)
    .map(({ fact, value, twoWay }) => ({
      eventId: fact.eventId,
      position: fact.position,
      occurredAt: new Date(fact.occurredAtMs).toISOString(),
      kind: fact.kind,
      ...(fact.kind === 'co-creation' ? {} : { channel: fact.channel }),
      ...(fact.kind === 'touchpoint' ? { direction: fact.direction, twoWay } : {}),
      points: value * perStrength,
    }));
  return {
    customerId,
    asOf: new Date(asOfMs).toISOString(),
    ...now,
    lastContactAt:
      state.lastContactMs === null ? null : new Date(state.lastContactMs).toISOString(),
    channels: Object.fromEntries(
      Object.entries(state.channels).map(([c, ms]) => [c, new Date(ms).toISOString()]),
    ),
    topContributors,
    history: closenessHistory(customerId, ordered, asOfMs, config, options.days ?? 30),
  };
}

/**
 * The score at the end of each of the last `days` UTC days (the last one: at `asOfMs`).
 * Each point folds the facts up to its time in log order, like `closenessStateAsOf`; the
 * longest prefix of the log already in the past is folded once and carried from day to day.
 */
export function closenessHistory(
  customerId: string,
  facts: readonly ClosenessFact[],
  asOfMs: number,
  config: ClosenessConfig,
  days: number,
): ClosenessHistoryPoint[] {
  const ordered = inLogOrder(facts);
  const today = Math.floor(asOfMs / DAY_MS) * DAY_MS;
  const points: ClosenessHistoryPoint[] = [];
  let prefix = emptyClosenessState(customerId, config);
  let folded = 0;
  for (let k = days - 1; k >= 0; k -= 1) {
    const dayStart = today - k * DAY_MS;
    const at = k === 0 ? asOfMs : dayStart + DAY_MS - 1;
    while (folded < ordered.length && ordered[folded].occurredAtMs <= at)
      prefix = applyClosenessFact(prefix, ordered[folded++], config).state;
    let state = prefix;
    for (let i = folded + 1; i < ordered.length; i += 1)
      if (ordered[i].occurredAtMs <= at)
        state = applyClosenessFact(state, ordered[i], config).state;
    points.push({
      date: new Date(dayStart).toISOString().slice(0, 10),
      score: closenessAt(state, at, config).score,
    });
  }
  return points;
}
