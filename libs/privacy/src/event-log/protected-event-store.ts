import { ERASED, mapPersonalFields, personalSubjectsOf, SEALED_FIELD } from '@rapport/domain';
import {
  type AppendRequest,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '@rapport/event-store';
import { LRUCache } from 'lru-cache';
import { FieldCipher } from '../cipher/field-cipher';
import { type DataKey } from '../keys/data-key';
import { type SubjectKeyStore } from '../keys/subject-key-store';

/** Whether every subject still has the key (the same object: unchanged, not destroyed) an entry used. */
function sameKeys(
  used: ReadonlyMap<string, DataKey | undefined>,
  current: ReadonlyMap<string, DataKey>,
): boolean {
  for (const [subject, key] of used) if (current.get(subject) !== key) return false;
  return true;
}

/** The additional data a subject's envelope is bound to: this event, no other. */
const envelopeField = (eventId: string) => `event:${eventId}`;

type Json = Record<string, unknown>;

/** An event's personal values taken out, by subject, with the event as it will be stored. */
interface Unsealed<E extends NewEvent> {
  readonly event: E;
  /** Each subject's values, in the order the domain walks them (`mapPersonalFields`). */
  readonly values: Map<string, string[]>;
}

/** Takes the personal values out of an event, leaving `enc:sealed` in each field. */
function takePersonalValues<E extends NewEvent>(event: E): Unsealed<E> {
  const values = new Map<string, string[]>();
  const { data, metadata } = mapPersonalFields(
    { type: event.type, data: event.data, metadata: event.metadata },
    (subject, _field, value) => {
      let list = values.get(subject);
      if (!list) values.set(subject, (list = []));
      list.push(value);
      return SEALED_FIELD;
    },
  );
  return { event: values.size === 0 ? event : { ...event, data, metadata }, values };
}

/**
 * The event with its personal values sealed: each subject's list encrypted as one JSON array
 * under the subject's key and kept in `metadata.sealed[subject]`. One cipher operation per
 * event and subject instead of one per field (docs/decisions/0030).
 */
function sealed<E extends NewEvent>({ event, values }: Unsealed<E>, keys: Map<string, DataKey>): E {
  if (values.size === 0) return event;
  const envelope: Record<string, string> = {};
  for (const [subject, list] of values)
    envelope[subject] = FieldCipher.encrypt(
      keys.get(subject) as DataKey,
      envelopeField(event.id),
      JSON.stringify(list),
    );
  return { ...event, metadata: { ...((event.metadata as Json) ?? {}), sealed: envelope } };
}

/** The event with its personal fields opened; `ERASED` where the subject's key is gone. */
function revealed(event: RecordedEvent, keys: Map<string, DataKey>): RecordedEvent {
  const envelope = (event.metadata as { sealed?: Record<string, string> } | null)?.sealed;
  if (!envelope || typeof envelope !== 'object') {
    // Fields encrypted one by one, or logged before protection was on (plain: as they are).
    const { data, metadata } = mapPersonalFields(event, (subject, field, value) =>
      FieldCipher.isEncrypted(value) ? FieldCipher.decrypt(keys.get(subject), field, value) : value,
    );
    return data === event.data && metadata === event.metadata
      ? event
      : { ...event, data, metadata };
  }
  const opened = new Map<string, { values: unknown[] | null; next: number }>();
  for (const [subject, blob] of Object.entries(envelope)) {
    const text = FieldCipher.decrypt(keys.get(subject), envelopeField(event.id), blob);
    opened.set(subject, {
      values: typeof text === 'string' ? (JSON.parse(text) as unknown[]) : null,
      next: 0,
    });
  }
  const { data, metadata } = mapPersonalFields(event, (subject, _field, value) => {
    const sealedFor = opened.get(subject);
    if (!sealedFor) return value;
    if (!sealedFor.values) return ERASED;
    return sealedFor.values[sealedFor.next++];
  });
  const { sealed: _envelope, ...rest } = metadata as Json;
  return { ...event, data, metadata: rest };
}

/** An event as revealed once, with the keys it was revealed with (by subject). */
interface RevealedEntry {
  readonly id: string;
  readonly event: RecordedEvent;
  readonly keys: ReadonlyMap<string, DataKey | undefined>;
}

export interface ProtectionOptions {
  /**
   * Events kept revealed, by log position, for the other readers of this process: a projector
   * follows the log with several subscriptions (timeline, closeness, ideas, identity
   * resolution, the idea loop), each of which would decrypt every event again. An entry is
   * used only while each of its subjects still has the key it was revealed with, so a
   * destroyed key is never served from here. Default 10,000 events; 0 turns it off.
   */
  readonly revealedCacheSize?: number;
}

/**
 * The log with crypto-shredding: every append seals the personal fields the domain names
 * (`mapPersonalFields`) with the data key of their subject, one envelope per event and
 * subject, and every read path
 * (`readStream`, `readAll`, subscriptions) decrypts them, handing out `ERASED` for a subject
 * whose key was destroyed. Readers see the same shapes as before, so projections, exports,
 * `tail` and time travel need no change to stay correct after an erasure. Copies of the log
 * as stored (`migrate-log`) use the store underneath.
 * docs/decisions/0027-crypto-shredding-keys.md
 */
export function withPersonalDataProtection(
  store: EventStore,
  keys: SubjectKeyStore,
  options: ProtectionOptions = {},
): EventStore {
  const size = options.revealedCacheSize ?? 10_000;
  const cache = size > 0 ? new LRUCache<number, RevealedEntry>({ max: size }) : null;
  const sealAll = async <E extends NewEvent>(events: readonly E[]): Promise<E[]> => {
    const unsealed = events.map(takePersonalValues);
    const subjects = new Set(unsealed.flatMap((u) => [...u.values.keys()]));
    const subjectKeys = subjects.size > 0 ? await keys.keysFor([...subjects]) : new Map();
    return unsealed.map((u) => sealed(u, subjectKeys));
  };
  const revealAll = async (events: RecordedEvent[]): Promise<RecordedEvent[]> => {
    // Subjects of cached events from their entries; only the others are walked.
    const hits: (RevealedEntry | undefined)[] = new Array(events.length);
    const subjectsOf: (Set<string> | undefined)[] = new Array(events.length);
    const subjects = new Set<string>();
    events.forEach((event, i) => {
      const hit = cache?.get(event.position);
      if (hit && hit.id === event.id) {
        hits[i] = hit;
        for (const subject of hit.keys.keys()) subjects.add(subject);
      } else {
        const own = personalSubjectsOf(event);
        subjectsOf[i] = own;
        for (const subject of own) subjects.add(subject);
      }
    });
    const subjectKeys = subjects.size > 0 ? await keys.findMany([...subjects]) : new Map();
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      const hit = hits[i];
      if (hit && sameKeys(hit.keys, subjectKeys)) {
        events[i] = hit.event;
        continue;
      }
      events[i] = revealed(event, subjectKeys);
      if (cache && events[i] !== event) {
        const used = new Map<string, DataKey | undefined>();
        for (const subject of subjectsOf[i] ?? personalSubjectsOf(event))
          used.set(subject, subjectKeys.get(subject));
        cache.set(event.position, { id: event.id, event: events[i], keys: used });
      }
    }
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
      if (options.withoutPersonalData) return store.subscribeToAll(options, handler);
      return store.subscribeToAll(options, {
        onEvents: async (events) => handler.onEvents(await revealAll([...events])),
        ...(handler.onCaughtUp ? { onCaughtUp: (p: number) => handler.onCaughtUp?.(p) } : {}),
      });
    },
    // The key store is the caller's: it outlives (or is shared by) the stores it protects.
    close: () => store.close(),
  };
}
