import {
  ERASED,
  type IdentityHasher,
  mapPersonalFields,
  type PlainLogPseudonyms,
  pseudonymousSchemeProblems,
} from '@rapport/domain';
import {
  type EventStore,
  migrateLog,
  type MigrateLogOptions,
  type MigrationResult,
  type RecordedEvent,
} from '@rapport/event-store';
import stringify from 'safe-stable-stringify';

/**
 * The mapping pass: every event of the plain log is learnt (the identities it names, how
 * often each was unlinked), so that every customer id can be mapped before the first event
 * is copied. Throws the domain's `PlainLogError` when the log is not plain. Returns the
 * number of events read, or null when `shouldStop` asked to stop.
 */
export async function learnPlainLog(
  source: EventStore,
  pseudonyms: PlainLogPseudonyms,
  options: {
    batchSize?: number;
    onProgress?: (read: number, position: number) => void;
    shouldStop?: () => boolean;
  } = {},
): Promise<number | null> {
  let after = 0;
  let read = 0;
  for (;;) {
    if (options.shouldStop?.()) return null;
    const events = await source.readAll({ after, maxCount: options.batchSize ?? 1000 });
    if (events.length === 0) return read;
    for (const event of events) pseudonyms.learn(event, event.position);
    read += events.length;
    after = events[events.length - 1].position;
    options.onProgress?.(read, after);
  }
}

/** The plain log as the pseudonymous log will hold it: each event read is rewritten (ids, revisions, order kept). */
export function rewrittenView(source: EventStore, pseudonyms: PlainLogPseudonyms): EventStore {
  const rewrite = (e: RecordedEvent): RecordedEvent => ({ ...e, ...pseudonyms.rewrite(e) });
  return {
    ...source,
    readAll: async (options) => (await source.readAll(options)).map(rewrite),
    readStream: () => Promise.reject(new Error('a rewritten log is read whole, in log order')),
    append: () => Promise.reject(new Error('a rewritten log is read-only')),
    appendMany: () => Promise.reject(new Error('a rewritten log is read-only')),
    close: () => source.close(),
  };
}

/**
 * Copies the plain log into `target` (which encrypts personal fields on the way in:
 * `withPersonalDataProtection`), every event rewritten by `pseudonyms` after the mapping pass
 * (`learnPlainLog`). The copy is `migrateLog`'s: appends in log order, each expecting
 * the exact revision before it, resumable from a checkpoint because re-appending an event
 * that is already there is recognised by its id (and field encryption is deterministic, so
 * its content is the same).
 */
export function pseudonymiseLog(
  source: EventStore,
  target: EventStore,
  pseudonyms: PlainLogPseudonyms,
  options: MigrateLogOptions = {},
): Promise<MigrationResult> {
  return migrateLog(rewrittenView(source, pseudonyms), target, options);
}

export interface PseudonymisationCheck {
  readonly compared: number;
  readonly mismatches: string[];
}

const same = (a: unknown, b: unknown) => stringify(a) === stringify(b);

/** The event with the personal texts of `erased` subjects read as erased (as their destroyed keys make them). */
function withErased(
  event: { type: string; data: unknown; metadata: unknown },
  erased: ReadonlySet<string>,
) {
  if (erased.size === 0) return { data: event.data, metadata: event.metadata };
  return mapPersonalFields(event, (subject, _field, value) =>
    erased.has(subject) ? ERASED : value,
  );
}

/** The strings of a raw event, split into words (a plain value inside a text is found too). */
function wordsOf(value: unknown, found: (word: string, where: string) => void, where: string) {
  if (typeof value === 'string') {
    found(value, where);
    for (const word of value.split(/[\s<>()[\]{},;:"'/=&?|]+/)) if (word) found(word, where);
  } else if (Array.isArray(value)) {
    value.forEach((item) => wordsOf(item, found, where));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) wordsOf(item, found, `${where}.${key}`);
  }
}

/**
 * Verifies a pseudonymised log against its plain source, event by event:
 * - the same number of events, with the same ids, types and stream revisions, in order;
 * - read back through the protected store (decrypted), each event is what the rewrite of the
 *   source event gives, it obeys the pseudonymous scheme (`pseudonymousSchemeProblems`), and
 *   un-pseudonymised (`restore`: plain values from the decrypted `plainValue`s, old customer
 *   ids) it is the source event again — personal texts of customers the source had erased
 *   read as erased on both sides;
 * - as stored (`rawTarget`, not decrypted), no string and no word in its data, metadata or
 *   stream is a plain identity value or key of the source, or a customer id derived from one.
 * Mismatch messages name positions and fields, never a personal value.
 */
export async function verifyPseudonymisedLog(
  source: EventStore,
  decryptedTarget: EventStore,
  rawTarget: EventStore,
  pseudonyms: PlainLogPseudonyms,
  hash: IdentityHasher,
  options: {
    batchSize?: number;
    onProgress?: (compared: number) => void;
    maxMismatches?: number;
  } = {},
): Promise<PseudonymisationCheck> {
  const batch = options.batchSize ?? 1000;
  const maxMismatches = options.maxMismatches ?? 20;
  const mismatches: string[] = [];
  const plain = pseudonyms.plainValues();
  const erasedNew = new Set(pseudonyms.erasedCustomerIds());
  const erasedOld = new Set([...erasedNew].map((id) => pseudonyms.oldCustomerId(id)));
  let compared = 0;
  let sourceAfter = 0;
  let targetAfter = 0;
  for (;;) {
    const [a, b, raw] = await Promise.all([
      source.readAll({ after: sourceAfter, maxCount: batch }),
      decryptedTarget.readAll({ after: targetAfter, maxCount: batch }),
      rawTarget.readAll({ after: targetAfter, maxCount: batch }),
    ]);
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n && mismatches.length < maxMismatches; i++) {
      const problem = differenceOf(a[i], b[i], raw[i], pseudonyms, hash, plain, {
        erasedNew,
        erasedOld,
      });
      if (problem) mismatches.push(`event #${compared + i + 1} (${a[i].id}): ${problem}`);
    }
    compared += n;
    if (a.length !== b.length)
      mismatches.push(
        `the ${a.length < b.length ? 'target' : 'source'} has more events after #${compared}`,
      );
    options.onProgress?.(compared);
    if (a.length !== b.length || a.length < batch || mismatches.length >= maxMismatches) break;
    sourceAfter = a[a.length - 1].position;
    targetAfter = b[b.length - 1].position;
  }
  return { compared, mismatches };
}

function differenceOf(
  s: RecordedEvent,
  t: RecordedEvent,
  raw: RecordedEvent | undefined,
  pseudonyms: PlainLogPseudonyms,
  hash: IdentityHasher,
  plain: ReadonlySet<string>,
  erased: { erasedNew: ReadonlySet<string>; erasedOld: ReadonlySet<string> },
): string | null {
  if (s.id !== t.id) return `id ${s.id} ≠ ${t.id}`;
  if (s.type !== t.type) return `type ${s.type} ≠ ${t.type}`;
  if (s.revision !== t.revision) return `revision ${s.revision} ≠ ${t.revision}`;
  if (!raw || raw.id !== t.id) return 'the stored event is not the one read back';

  const expected = pseudonyms.rewrite(s);
  if (expected.streamId !== t.streamId) return 'not in the stream the rewrite gives';
  const got = withErased(t, erased.erasedNew);
  const want = withErased({ type: s.type, ...expected }, erased.erasedNew);
  if (!same(got.data, want.data)) return 'decrypted data is not the rewritten source data';
  if (!same(got.metadata, want.metadata))
    return 'decrypted metadata is not the rewritten source metadata';

  const scheme = pseudonymousSchemeProblems(t, hash);
  if (scheme.length > 0) return scheme.join('; ');

  const restored = pseudonyms.restore(t);
  if (restored.streamId !== s.streamId) return 'un-pseudonymised, not the source stream';
  const back = withErased({ type: s.type, ...restored }, erased.erasedOld);
  const source = withErased(s, erased.erasedOld);
  if (!same(back.data, source.data)) return 'un-pseudonymised data is not the source data';
  if (!same(back.metadata, source.metadata))
    return 'un-pseudonymised metadata is not the source metadata';

  let leak: string | null = null;
  const check = (word: string, where: string) => {
    if (leak) return;
    if (plain.has(word)) leak = `a plain identity value is stored in ${where}`;
    else if (pseudonyms.isPlainCustomerId(word))
      leak = `a customer id derived from a plain identity is stored in ${where}`;
  };
  wordsOf(raw.streamId, check, 'the stream id');
  wordsOf(raw.data, check, 'data');
  wordsOf(raw.metadata, check, 'metadata');
  return leak;
}
