import {
  applyClosenessFact,
  CHANNELS,
  type ClosenessConfig,
  type ClosenessFact,
  closenessRankKey,
  DAY_MS,
  emptyClosenessState,
} from '@rapport/domain';
import { seededRandom } from '@rapport/testing';

/** A customer of `bench:closeness` as the model indexes it. */
export interface SeededCustomer {
  readonly id: string;
  readonly rankKey: number;
  readonly lastContactMs: number;
}

/**
 * The customers of `bench:closeness` and its probes, the same every run: each gets 1–4
 * touchpoints (random channel, direction, sentiment) over the year before `asOf`, folded by
 * the pure domain.
 */
export function* seededCustomers(
  count: number,
  asOf: number,
  config: ClosenessConfig,
): Generator<SeededCustomer> {
  const random = seededRandom(42);
  for (let c = 0; c < count; c += 1) {
    const id = `00000000-0000-4000-8000-${c.toString(16).padStart(12, '0')}`;
    let state = emptyClosenessState(id, config);
    const touchpoints = 1 + Math.floor(random() * 4);
    for (let t = 0; t < touchpoints; t += 1) {
      const fact: ClosenessFact = {
        kind: 'touchpoint',
        eventId: `${id}-${t}`,
        position: t + 1,
        customerId: id,
        bucket: `customer:${id}`,
        occurredAtMs: asOf - Math.floor(random() * 365 * DAY_MS),
        channel: CHANNELS[Math.floor(random() * 5)],
        direction: random() < 0.7 ? 'inbound' : 'outbound',
        ...(random() < 0.5 ? { sentiment: random() * 2 - 1 } : {}),
      };
      state = applyClosenessFact(state, fact, config).state;
    }
    yield {
      id,
      rankKey: closenessRankKey(state, config),
      lastContactMs: state.lastContactMs as number,
    };
  }
}
