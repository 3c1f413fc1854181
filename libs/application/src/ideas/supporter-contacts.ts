import {
  type ContactTouchpoint,
  customerStreamId,
  mainContactOf,
  parseEventType,
  isErased,
  type PseudonymousIdentity,
  type SupporterContact,
} from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';

/** How to reach a person known by these customer ids, judged on the log up to `upTo`. */
export type SupporterContacts = (
  customerIds: readonly string[],
  upTo: number,
) => Promise<SupporterContact | null>;

/**
 * Contacts from the log itself (the customers' own streams, the latest `window` events of
 * each): the same answer on every replay, and no read model needs to have caught up.
 */
export function logSupporterContacts(store: EventStore, window = 500): SupporterContacts {
  return async (customerIds, upTo) => {
    const touchpoints: ContactTouchpoint[] = [];
    for (const customerId of new Set(customerIds)) {
      const events = await store.readStream(customerStreamId(customerId), {
        direction: 'backwards',
        maxCount: window,
      });
      for (const event of events) {
        if (event.position > upTo) continue;
        if (parseEventType(event.type)?.name !== 'touchpoint.recorded') continue;
        const data = event.data as Omit<ContactTouchpoint, 'identity'> & {
          identity: PseudonymousIdentity;
        };
        // Reached at the address the channel saw (`plainValue` beside the pseudonym, which
        // the outbound touchpoint is filed under); an erased one reaches no one.
        const identity = data.identity;
        if (isErased(identity.plainValue)) continue;
        const occurredAt =
          (event.metadata as { occurredAt?: string })?.occurredAt ?? event.recordedAt;
        touchpoints.push({
          channel: data.channel,
          direction: data.direction,
          identity,
          occurredAt,
        });
      }
    }
    return mainContactOf(touchpoints);
  };
}
