import { EventNames } from '../event-type';
import { type Upcaster, UpcasterChain } from './upcaster';

/**
 * `survey.responded` v1 → v2: v1's `channel` was optional and meant `survey` when absent;
 * v2 requires it, so the upcaster writes v1's implicit default down.
 */
export const surveyRespondedV1ToV2: Upcaster = {
  name: EventNames.surveyResponded,
  fromVersion: 1,
  upcast(data) {
    const v1 = data as { channel?: string };
    return v1.channel === undefined ? { ...v1, channel: 'survey' } : v1;
  },
};

/** Every upcaster of the platform's events, in one chain. Add a step here when a type gets a new version. */
export const EVENT_UPCASTERS: readonly Upcaster[] = [surveyRespondedV1ToV2];

const chain = new UpcasterChain(EVENT_UPCASTERS);

/** A logged event in the newest shape of its type (the same object when it already is). */
export function upcastToLatest<E extends { type: string; data: unknown; metadata?: unknown }>(
  event: E,
): E {
  return chain.upcast(event);
}
