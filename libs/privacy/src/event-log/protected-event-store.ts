import {
  customerErasedFrom,
  ERASED,
  ERASURE_STREAM,
  mapPersonalFields,
  personalSubjectsOf,
  SEALED_FIELD,
} from '@rapport/domain';
import {
  type AppendOptions,
  type AppendRequest,
  type AppendTransaction,
  EventIdConflictError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from '@rapport/event-store';
import { FieldCipher, FieldDecryptionError, type SealFormat } from '../cipher/field-cipher';
import { type DataKey } from '../keys/data-key';
import { type KeysForAppend, type SubjectKeyStore } from '../keys/subject-key-store';
import { KeyRaceError } from '../keys/wrapped-key-table';

/** The additional data a subject's envelope is bound to: this event, no other. */
const envelopeField = (eventId: string) => `event:${eventId}`;

type Json = Record<string, unknown>;

/**
 * Each subject's personal values of one event, in the order the domain walks them
 * (`mapPersonalFields`). Nearly every event has one subject (its customer): that one is kept
 * without a Map, which was a tenth of what sealing allocated (docs/decisions/0060).
 */
class ValuesBySubject {
  private first: string | undefined;
  private firstValues: string[] = [];
  private others: Map<string, string[]> | undefined;

  /** The walk's visitor: keeps the value, leaves `enc:sealed` in its field. */
  readonly take = (subject: string, _field: string, value: string): string => {
    if (this.first === undefined || subject === this.first) {
      this.first = subject;
      this.firstValues.push(value);
      return SEALED_FIELD;
    }
    this.others ??= new Map();
    const list = this.others.get(subject);
    if (list) list.push(value);
    else this.others.set(subject, [value]);
    return SEALED_FIELD;
  };

  get size(): number {
    return this.first === undefined ? 0 : 1 + (this.others?.size ?? 0);
  }

  /** The values of the event's one subject, when it has one subject and it is `subject`. */
  onlyOf(subject: string): string[] | undefined {
    return this.others === undefined && this.first === subject ? this.firstValues : undefined;
  }

  forEach(each: (subject: string, values: string[]) => void): void {
    if (this.first === undefined) return;
    each(this.first, this.firstValues);
    this.others?.forEach((values, subject) => each(subject, values));
  }
}

/** An event's personal values taken out, by subject, with the event as it will be stored. */
interface Unsealed<E extends NewEvent> {
  /** The event with `enc:sealed` in its personal fields: a copy, when it has any. */
  readonly event: E;
  readonly values: ValuesBySubject;
  /** Whether `event.metadata` is the walk's copy (which the envelope may be added to). */
  readonly metadataCopied: boolean;
}

/** Takes the personal values out of an event, leaving `enc:sealed` in each field. */
function takePersonalValues<E extends NewEvent>(event: E): Unsealed<E> {
  const values = new ValuesBySubject();
  const { data, metadata } = mapPersonalFields(
    { type: event.type, data: event.data, metadata: event.metadata },
    values.take,
  );
  return values.size === 0
    ? { event, values, metadataCopied: false }
    : {
        event: withContent(event, data, metadata),
        values,
        metadataCopied: metadata !== event.metadata,
      };
}

/**
 * The event with other data and metadata. Built field by field: a spread of the whole event
 * costs more than the four fields a `NewEvent` has (nothing else of it reaches the log).
 */
function withContent<E extends NewEvent>(event: E, data: unknown, metadata: unknown): E {
  return { id: event.id, type: event.type, data, metadata } as E;
}

/**
 * `metadata.sealed` of a sealed event. Format 2: the sealed value alone when its one subject
 * is the event's customer (`metadata.customerId`: every touchpoint), else subject, sealed
 * value, subject, sealed value, … Format 1 (written before ADR 0050, or with
 * `sealFormat: 1`): an object, sealed value by subject.
 */
type Envelope = string | string[] | Record<string, string>;

/**
 * The event with its personal values sealed: each subject's list encrypted as one JSON array
 * under the subject's key and kept in `metadata.sealed`, with the subject. One cipher
 * operation per event and subject instead of one per field (docs/decisions/0030).
 */
function sealed<E extends NewEvent>(
  { event, values, metadataCopied }: Unsealed<E>,
  keys: ReadonlyMap<string, DataKey>,
  format: SealFormat,
): E {
  if (values.size === 0) return event;
  const field = envelopeField(event.id);
  // The metadata's own fields, then the envelope.
  const metadata = metadataCopied
    ? (event.metadata as Json)
    : Object.assign({}, event.metadata as Json);
  const seal = (subject: string, list: string[]) =>
    FieldCipher.encrypt(keys.get(subject) as DataKey, field, JSON.stringify(list), format);
  const customerId = metadata.customerId as string;
  const own = values.onlyOf(customerId);
  if (format === 1) {
    // Keyed by customer ids: without a prototype, V8 keeps it a dictionary instead of making
    // a hidden class for every customer it meets.
    const envelope = Object.create(null) as Record<string, string>;
    values.forEach((subject, list) => (envelope[subject] = seal(subject, list)));
    metadata.sealed = envelope;
  } else if (own) {
    metadata.sealed = seal(customerId, own);
  } else {
    const envelope: string[] = [];
    values.forEach((subject, list) => envelope.push(subject, seal(subject, list)));
    metadata.sealed = envelope;
  }
  // `event` is takePersonalValues' copy, made for this.
  (event as { metadata: unknown }).metadata = metadata;
  return event;
}

/** The envelope of a sealed event, or undefined for an event logged otherwise. */
function envelopeOf(event: RecordedEvent): Envelope | undefined {
  const envelope = (event.metadata as { sealed?: unknown } | null)?.sealed;
  return typeof envelope === 'string' || (envelope && typeof envelope === 'object')
    ? (envelope as Envelope)
    : undefined;
}

/** The customer a format-2 envelope of one value belongs to: the event's own. */
function customerOf(event: RecordedEvent): string {
  const customerId = (event.metadata as Json).customerId;
  // Without it the values would read as erased: damage must not pass for an erasure.
  if (typeof customerId !== 'string')
    throw new FieldDecryptionError(`event ${event.id}: sealed for its customer, who is not named`);
  return customerId;
}

/** Each subject of an envelope with its sealed value. */
function forEachSealed(
  event: RecordedEvent,
  envelope: Envelope,
  each: (subject: string, value: string) => void,
): void {
  if (typeof envelope === 'string') each(customerOf(event), envelope);
  else if (Array.isArray(envelope)) {
    for (let i = 0; i + 1 < envelope.length; i += 2) each(envelope[i], envelope[i + 1]);
  } else {
    for (const subject in envelope) each(subject, envelope[subject]);
  }
}

/** The subjects whose keys open an event: its envelope's, or (logged otherwise) its fields'. */
function subjectsOf(event: RecordedEvent): Iterable<string> {
  const envelope = envelopeOf(event);
  if (!envelope) return personalSubjectsOf(event);
  if (typeof envelope === 'string') return [customerOf(event)];
  if (!Array.isArray(envelope)) return Object.keys(envelope);
  return envelope.filter((_, i) => i % 2 === 0);
}

/** The metadata without the envelope (a copy: the stored event's own is left as it was). */
function withoutEnvelope(metadata: Json): Json {
  const copy: Json = {};
  for (const key in metadata) if (key !== 'sealed') copy[key] = metadata[key];
  return copy;
}

/** `FieldCipher.decrypt` with the subject's key; `ERASED` for a subject in `erased` it does not open. */
function decrypt(
  keys: Map<string, DataKey>,
  erased: ReadonlySet<string> | undefined,
  subject: string,
  field: string,
  value: string,
) {
  try {
    return FieldCipher.decrypt(keys.get(subject), field, value);
  } catch (error) {
    if (error instanceof FieldDecryptionError && erased?.has(subject)) return ERASED;
    throw error;
  }
}

/** A subject's values sealed in one envelope, in the walk's order; null where it is erased. */
function sealedValues(
  keys: Map<string, DataKey>,
  erased: ReadonlySet<string> | undefined,
  subject: string,
  field: string,
  value: string,
): unknown[] | null {
  const text = decrypt(keys, erased, subject, field, value);
  return typeof text === 'string' ? (JSON.parse(text) as unknown[]) : null;
}

/**
 * The event with its personal fields opened; `ERASED` where the subject's key is gone, or
 * (subjects in `erased`) where their key does not open what was sealed under an older one.
 */
function revealed(
  event: RecordedEvent,
  keys: Map<string, DataKey>,
  erased?: ReadonlySet<string>,
): RecordedEvent {
  const envelope = envelopeOf(event);
  if (!envelope) {
    // Fields encrypted one by one, or logged before protection was on (plain: as they are).
    const { data, metadata } = mapPersonalFields(event, (subject, field, value) =>
      FieldCipher.isEncrypted(value) ? decrypt(keys, erased, subject, field, value) : value,
    );
    return data === event.data && metadata === event.metadata
      ? event
      : { ...event, data, metadata };
  }
  const field = envelopeField(event.id);
  if (typeof envelope === 'string') {
    // One subject, the event's customer (every touchpoint): no map of subjects to fill.
    const subject = customerOf(event);
    const values = sealedValues(keys, erased, subject, field, envelope);
    let next = 0;
    const { data, metadata } = mapPersonalFields(event, (of, _field, value) =>
      of !== subject ? value : values ? values[next++] : ERASED,
    );
    return { ...event, data, metadata: withoutEnvelope(metadata as Json) };
  }
  const opened = new Map<string, { values: unknown[] | null; next: number }>();
  forEachSealed(event, envelope, (subject, value) => {
    opened.set(subject, { values: sealedValues(keys, erased, subject, field, value), next: 0 });
  });
  const { data, metadata } = mapPersonalFields(event, (subject, _field, value) => {
    const sealedFor = opened.get(subject);
    if (!sealedFor) return value;
    if (!sealedFor.values) return ERASED;
    return sealedFor.values[sealedFor.next++];
  });
  return { ...event, data, metadata: withoutEnvelope(metadata as Json) };
}

export interface ProtectionOptions {
  /**
   * The format appends seal in (default 2). Every format is read. 1 is for a rolling upgrade:
   * processes of a release before format 2 cannot open it (docs/decisions/0050).
   */
  readonly sealFormat?: SealFormat;
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
  protection: ProtectionOptions = {},
): EventStore {
  const format = protection.sealFormat ?? 2;
  /**
   * Seals the events in `format` and appends them with `write`. An event already in the log
   * that was sealed in format 1 (before ADR 0050, or by a process still writing it) seals to
   * other bytes in format 2, and the log refuses it as a conflict: the append is made again
   * in format 1, where such an event is the same bytes again, a duplicate — and a real
   * conflict is still one.
   */
  const sealAndAppend = async <T>(
    events: readonly NewEvent[],
    options: AppendOptions | undefined,
    write: (sealed: NewEvent[], options: AppendOptions | undefined) => Promise<T>,
  ): Promise<T> => {
    try {
      return await sealAndAppendIn(format, events, options, write);
    } catch (error) {
      if (format === 1 || !(error instanceof EventIdConflictError)) throw error;
      return sealAndAppendIn(1, events, options, write);
    }
  };
  /**
   * Seals the events and has `write` append them. The keys of new subjects are stored by the
   * append itself, in its transaction, when the key table is in the log's database
   * (`keysForAppend`); otherwise — or when another writer stored a key of one of them first,
   * which fails that append whole — they are stored on their own before it (`keysFor`).
   */
  const sealAndAppendIn = async <T>(
    format: SealFormat,
    events: readonly NewEvent[],
    options: AppendOptions | undefined,
    write: (sealed: NewEvent[], options: AppendOptions | undefined) => Promise<T>,
  ): Promise<T> => {
    const unsealed = events.map(takePersonalValues);
    const unique = new Set<string>();
    for (const u of unsealed) u.values.forEach((subject) => unique.add(subject));
    if (unique.size === 0) return write(events as NewEvent[], options);
    const subjects = [...unique];
    if (keys.keysForAppend) {
      const prepared = await keys.keysForAppend(subjects);
      const all = unsealed.map((u) => sealed(u, prepared.keys, format));
      if (prepared.created === 0) return write(all, options);
      try {
        return await appendStoringKeys(all, options, prepared, write);
      } catch (error) {
        if (!(error instanceof KeyRaceError)) throw error;
      }
    }
    const subjectKeys = await keys.keysFor(subjects);
    return write(
      unsealed.map((u) => sealed(u, subjectKeys, format)),
      options,
    );
  };
  /**
   * Opens the events in place (the array is the caller's own), those `wanted` says the reader
   * uses; the others stay as stored.
   */
  const revealAll = async (
    events: RecordedEvent[],
    wanted: (event: RecordedEvent) => boolean = () => true,
  ): Promise<RecordedEvent[]> => {
    const opens = events.map(wanted);
    const subjects = new Set<string>();
    events.forEach((event, i) => {
      if (opens[i]) for (const subject of subjectsOf(event)) subjects.add(subject);
    });
    if (subjects.size === 0) return events;
    const subjectKeys = await keys.findMany([...subjects]);
    const unopened: number[] = [];
    events.forEach((event, i) => {
      if (!opens[i]) return;
      try {
        events[i] = revealed(event, subjectKeys);
      } catch (error) {
        if (!(error instanceof FieldDecryptionError) || !keys.erasedAmong) throw error;
        unopened.push(i);
      }
    });
    if (unopened.length > 0) await revealSealedBeforeAnErasure(events, unopened, subjectKeys);
    return events;
  };
  /**
   * Events their subjects' keys do not open. A subject erased who came back has a new key:
   * what was sealed under the destroyed one reads as erased. Anything else that does not
   * authenticate is damage, and throws.
   */
  const revealSealedBeforeAnErasure = async (
    events: RecordedEvent[],
    unopened: readonly number[],
    subjectKeys: Map<string, DataKey>,
  ): Promise<void> => {
    const subjects = new Set<string>();
    for (const i of unopened)
      for (const subject of subjectsOf(events[i]))
        if (subjectKeys.has(subject)) subjects.add(subject);
    const erased = await keys.erasedAmong!([...subjects]);
    const unrecorded = new Set([...subjects].filter((subject) => !erased.has(subject)));
    for (const subject of unrecorded.size > 0 ? await erasedInTheLog(unrecorded) : [])
      erased.add(subject);
    for (const i of unopened) events[i] = revealed(events[i], subjectKeys, erased);
  };
  /**
   * Which of `subjects` the log's erasure stream says were erased: an erasure made before
   * the key table kept its own record of them (ADR 0046) is found there. Read only when a
   * value does not open, which is rare.
   */
  const erasedInTheLog = async (subjects: ReadonlySet<string>): Promise<string[]> => {
    const found = new Set<string>();
    for (let fromRevision = 0; ;) {
      const page = await store.readStream(ERASURE_STREAM, { fromRevision, maxCount: 500 });
      for (const event of page)
        for (const id of customerErasedFrom(event)?.erasedCustomerIds ?? [])
          if (subjects.has(id)) found.add(id);
      if (page.length < 500) return [...found];
      fromRevision = page[page.length - 1].revision + 1;
    }
  };
  return {
    positionsAreCounters: store.positionsAreCounters,
    append: (streamId, events, expectedRevision, options) =>
      sealAndAppend(events, options, (sealedEvents, withKeys) =>
        store.append(streamId, sealedEvents, expectedRevision, withKeys),
      ),
    appendMany: (requests: readonly AppendRequest[], options?: AppendOptions) =>
      sealAndAppend(
        requests.flatMap((r) => r.events),
        options,
        (all, withKeys) => {
          let next = 0;
          return store.appendMany(
            requests.map((r) => ({ ...r, events: all.slice(next, (next += r.events.length)) })),
            withKeys,
          );
        },
      ),
    readStream: async (streamId, options) => revealAll(await store.readStream(streamId, options)),
    readAll: async (options) => revealAll(await store.readAll(options)),
    headPosition: () => store.headPosition(),
    subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
      const wanted = options.personalDataOf;
      return store.subscribeToAll(options, {
        onEvents: async (events) => handler.onEvents(await revealAll([...events], wanted)),
        ...(handler.onCaughtUp ? { onCaughtUp: (p: number) => handler.onCaughtUp?.(p) } : {}),
      });
    },
    // The key store is the caller's: it outlives (or is shared by) the stores it protects.
    close: () => store.close(),
  };
}

/**
 * Appends with the new keys stored in the append's own transaction (after the caller's own
 * `withinTransaction`, if any). Should a store between here and the log not pass the hook on,
 * the append commits without them: they are then stored right after it, and a key another
 * writer stored first in between is an error, as those events can no longer be opened.
 */
async function appendStoringKeys<T>(
  events: NewEvent[],
  options: AppendOptions | undefined,
  prepared: KeysForAppend,
  write: (sealed: NewEvent[], options: AppendOptions | undefined) => Promise<T>,
): Promise<T> {
  let stored = false;
  const storeKeys = (transaction: AppendTransaction) => {
    const pending = prepared.storeWithin(transaction);
    if (pending instanceof Promise) return pending.then(() => void (stored = true));
    stored = true;
  };
  const result = await write(events, {
    ...options,
    withinTransaction: (transaction) => {
      const theirs = options?.withinTransaction?.(transaction);
      return theirs instanceof Promise
        ? theirs.then(() => storeKeys(transaction))
        : storeKeys(transaction);
    },
  });
  if (!stored) await prepared.storeAlone();
  prepared.committed();
  return result;
}
