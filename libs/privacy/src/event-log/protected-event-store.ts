import { type EventContentOf, mapPersonalFields, personalSubjectsOf } from '@rapport/domain';
import {
  type AppendRequest,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '@rapport/event-store';
import { FieldCipher } from '../cipher/field-cipher';
import { type DataKey } from '../keys/data-key';
import { type SubjectKeyStore } from '../keys/subject-key-store';

/** The keys of every subject the events' personal fields belong to, in one call to the key store. */
function keysOf(
  events: readonly EventContentOf[],
  lookup: (subjects: readonly string[]) => Promise<Map<string, DataKey>>,
): Promise<Map<string, DataKey>> {
  const subjects = new Set<string>();
  for (const event of events) for (const s of personalSubjectsOf(event)) subjects.add(s);
  return subjects.size === 0 ? Promise.resolve(new Map()) : lookup([...subjects]);
}

/** The event with its personal fields encrypted under their subjects' keys (created on first use). */
function sealed<E extends NewEvent>(event: E, keys: Map<string, DataKey>): E {
  const { data, metadata } = mapPersonalFields(
    { type: event.type, data: event.data, metadata: event.metadata },
    (subject, field, value) => FieldCipher.encrypt(keys.get(subject) as DataKey, field, value),
  );
  return data === event.data && metadata === event.metadata ? event : { ...event, data, metadata };
}

/** The event with its personal fields decrypted; `ERASED` where the subject's key is gone. */
function revealed(event: RecordedEvent, keys: Map<string, DataKey>): RecordedEvent {
  const { data, metadata } = mapPersonalFields(event, (subject, field, value) =>
    // Events logged before protection was turned on hold plain texts: they read as they are.
    FieldCipher.isEncrypted(value) ? FieldCipher.decrypt(keys.get(subject), field, value) : value,
  );
  return data === event.data && metadata === event.metadata ? event : { ...event, data, metadata };
}

/**
 * The log with crypto-shredding: every append encrypts the personal fields the domain names
 * (`mapPersonalFields`) with the data key of their subject, and every read path
 * (`readStream`, `readAll`, subscriptions) decrypts them, handing out `ERASED` for a subject
 * whose key was destroyed. Readers see the same shapes as before, so projections, exports,
 * `tail` and time travel need no change to stay correct after an erasure. Copies of the log
 * as stored (`migrate-log`) use the store underneath.
 * docs/decisions/0027-crypto-shredding-keys.md
 */
export function withPersonalDataProtection(store: EventStore, keys: SubjectKeyStore): EventStore {
  const sealAll = async <E extends NewEvent>(events: readonly E[]): Promise<E[]> => {
    const subjectKeys = await keysOf(events, (s) => keys.keysFor(s));
    return events.map((event) => sealed(event, subjectKeys));
  };
  const revealAll = async (events: RecordedEvent[]): Promise<RecordedEvent[]> => {
    const subjectKeys = await keysOf(events, (s) => keys.findMany(s));
    for (let i = 0; i < events.length; i++) events[i] = revealed(events[i], subjectKeys);
    return events;
  };
  return {
    positionsAreCounters: store.positionsAreCounters,
    append: async (streamId, events, expectedRevision) =>
      store.append(streamId, await sealAll(events), expectedRevision),
    appendMany: async (requests: readonly AppendRequest[]) => {
      const all = await sealAll(requests.flatMap((r) => r.events));
      let next = 0;
      return store.appendMany(
        requests.map((r) => ({ ...r, events: all.slice(next, (next += r.events.length)) })),
      );
    },
    readStream: async (streamId, options) => revealAll(await store.readStream(streamId, options)),
    readAll: async (options) => revealAll(await store.readAll(options)),
    headPosition: () => store.headPosition(),
    subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
      return store.subscribeToAll(options, {
        onEvents: async (events) => handler.onEvents(await revealAll([...events])),
        ...(handler.onCaughtUp ? { onCaughtUp: (p: number) => handler.onCaughtUp?.(p) } : {}),
      });
    },
    // The key store is the caller's: it outlives (or is shared by) the stores it protects.
    close: () => store.close(),
  };
}
