import { EventNames, parseEventType } from '../events/event-type';
import { type ChannelIdentity, identityKey } from '../identity/channel-identity';
import { customerIdFor, customerStreamId } from '../identity/customer-id';
import { restartedCustomerIdFor } from '../identity-graph/fresh-customer-id';
import {
  IdentityGraphEventTypes,
  identityGraphEventFrom,
} from '../identity-graph/identity-graph-events';
import { type IdentityPolicy, graphIdentityOf } from '../identity-graph/identity-policy';
import { isErased } from './erased';
import { CUSTOMER_ERASED_V1, SUPPRESSION_LIFTED_V1 } from './erasure-events';
import { type IdentityHasher, isPseudonym, pseudonymise } from './pseudonymous-identity';

/** An event of the log as the rewrite sees it (a recorded event has more; it is kept). */
export interface LoggedEventOf {
  readonly streamId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

/** What an event becomes in the pseudonymous log: its stream, data and metadata. */
export interface RewrittenEvent {
  readonly streamId: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

type Json = Record<string, unknown>;
type IdentityLike = ChannelIdentity & { readonly plainValue?: unknown };

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const CUSTOMER_STREAM = 'customer-';

/** The kind of logged event, as far as identities and customer ids go. */
function kindOf(type: string): 'ingested' | 'graph' | 'erasure' | 'other' {
  const name = parseEventType(type)?.name;
  if (name === EventNames.touchpointRecorded || name === EventNames.surveyResponded)
    return 'ingested';
  if (identityGraphEventFrom({ type, data: null })) return 'graph';
  if (type === CUSTOMER_ERASED_V1 || type === SUPPRESSION_LIFTED_V1) return 'erasure';
  return 'other';
}

/** The identities an ingested event carries: its primary `identity`, then `identities`. */
function ingestedIdentities(data: Json): IdentityLike[] {
  const further = Array.isArray(data.identities) ? (data.identities as IdentityLike[]) : [];
  return [data.identity as IdentityLike, ...further];
}

/** The identities an identity-graph event names (`identity`, `via`, `evidence[]`). */
function graphIdentities(data: Json): IdentityLike[] {
  const found: IdentityLike[] = [];
  if (isObject(data.identity)) found.push(data.identity as unknown as IdentityLike);
  if (isObject(data.via)) found.push(data.via as unknown as IdentityLike);
  if (Array.isArray(data.evidence)) found.push(...(data.evidence as IdentityLike[]));
  return found;
}

const GRAPH_IDENTITY_FIELDS = new Set(['identity', 'via', 'evidence']);
const INGESTED_IDENTITY_FIELDS = new Set(['identity', 'identities']);

/**
 * Every string of a JSON value passed through `map` (customer ids, `customer-<id>` stream
 * names), except the top-level fields in `skip`; the same objects where nothing changed.
 */
function mapStrings(value: unknown, map: (s: string) => string, skip?: Set<string>): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    value.forEach((item, i) => {
      const after = mapStrings(item, map);
      if (after !== item) (copy ??= [...value])[i] = after;
    });
    return copy ?? value;
  }
  if (!isObject(value)) return value;
  let copy: Json | null = null;
  for (const [key, item] of Object.entries(value)) {
    if (skip?.has(key)) continue;
    const after = mapStrings(item, map);
    if (after !== item) (copy ??= { ...value })[key] = after;
  }
  return copy ?? value;
}

/** Which identity a plain key names and what it becomes. */
interface KnownIdentity {
  readonly plain: ChannelIdentity;
  /** The pseudonymous identity (no plain value beside it). */
  readonly pseudonymous: ChannelIdentity;
  /** How many times the identity was unlinked: each may have started a restarted customer. */
  unlinks: number;
}

/** Why a log cannot be pseudonymised (it already is, or an event is not what this release wrote). */
export class PlainLogError extends Error {
  override readonly name = 'PlainLogError';
}

/**
 * Moving a log written with plain identities (every release before pseudonymous keys) to the
 * pseudonymous scheme: identities carry their blind-index pseudonym as `value` (ingested
 * events keep the plain value beside it as `plainValue`, which the log then encrypts; the
 * identity graph keeps none), and every customer id — derived from plain identities by
 * `customerIdFor` and `restartedCustomerIdFor` — becomes the id the same derivation gives the
 * pseudonymous identity, wherever it appears (metadata, identity-graph and idea events,
 * `customer-<id>` streams). Used in two passes over the log: `learn` every event (the
 * identities seen, how often each was unlinked), then `rewrite` each. `restore` is the
 * inverse, for verifying a rewritten log against its source.
 */
export class PlainLogPseudonyms {
  private readonly identities = new Map<string, KnownIdentity>();
  private readonly byPseudonymousKey = new Map<string, KnownIdentity>();
  private readonly newIds = new Map<string, string>();
  private readonly oldIds = new Map<string, string>();
  private readonly erasedOldIds = new Set<string>();
  /** Identity keys only an erasure named, hashed by `rewrite`: pseudonymous → plain. */
  private readonly hashedKeys = new Map<string, string>();
  private settled = false;

  constructor(
    private readonly hash: IdentityHasher,
    private readonly policy: IdentityPolicy,
  ) {}

  /** Notes the identities an event of the plain log names; throws `PlainLogError` when it is not plain. */
  learn(event: LoggedEventOf, position: number): void {
    this.settled = false;
    const data = event.data;
    if (!isObject(data)) return;
    switch (kindOf(event.type)) {
      case 'ingested': {
        const metadata = isObject(event.metadata) ? event.metadata : {};
        const key = metadata.identityKey;
        if (typeof key === 'string' && key.includes(':~'))
          throw new PlainLogError(
            `the event at position ${position} already has a pseudonymous identity key: the log is pseudonymous already`,
          );
        const identities = ingestedIdentities(data);
        identities.forEach((identity) => this.note(identity, position));
        const expected = customerIdFor(identities[0]);
        if (metadata.customerId !== expected)
          throw new PlainLogError(
            `the event at position ${position} (${event.type}) is not filed under the customer its identity derives (metadata.customerId): not a log this release knows how to move`,
          );
        return;
      }
      case 'graph': {
        graphIdentities(data).forEach((identity) => this.note(identity, position));
        if (event.type === IdentityGraphEventTypes.identityUnlinked) {
          const known = this.identities.get(identityKey(data.identity as ChannelIdentity));
          if (known) known.unlinks++;
        }
        return;
      }
      case 'erasure':
        if (event.type === CUSTOMER_ERASED_V1 && Array.isArray(data.erasedCustomerIds))
          for (const id of data.erasedCustomerIds)
            if (typeof id === 'string') this.erasedOldIds.add(id);
        return;
      default:
        return;
    }
  }

  private note(identity: IdentityLike, position: number): void {
    if (!isObject(identity) || typeof identity.value !== 'string' || !identity.kind)
      throw new PlainLogError(
        `the event at position ${position} holds an identity without a value`,
      );
    if (isPseudonym(identity.value) || identity.plainValue !== undefined)
      throw new PlainLogError(
        `the event at position ${position} already holds a pseudonymous identity: the log is pseudonymous already`,
      );
    const key = identityKey(identity);
    if (this.identities.has(key)) return;
    const plain: ChannelIdentity = {
      kind: identity.kind,
      value: identity.value,
      ...(identity.network === undefined ? {} : { network: identity.network }),
    };
    const { plainValue: _plain, ...pseudonymous } = pseudonymise(plain, this.hash);
    const known: KnownIdentity = { plain, pseudonymous, unlinks: 0 };
    this.identities.set(key, known);
    this.byPseudonymousKey.set(identityKey(pseudonymous), known);
  }

  /** Old → new customer ids, once every event was learnt. */
  private settle(): void {
    if (this.settled) return;
    const add = (oldId: string, newId: string) => {
      this.newIds.set(oldId, newId);
      this.oldIds.set(newId, oldId);
    };
    for (const { plain, pseudonymous, unlinks } of this.identities.values()) {
      add(customerIdFor(plain), customerIdFor(pseudonymous));
      for (let restart = 1; restart <= unlinks; restart++)
        add(restartedCustomerIdFor(plain, restart), restartedCustomerIdFor(pseudonymous, restart));
    }
    this.settled = true;
  }

  /** How many identities and customer ids were learnt. */
  get size(): { identities: number; customerIds: number } {
    this.settle();
    return { identities: this.identities.size, customerIds: this.newIds.size };
  }

  /** The customer id the pseudonymous log has for an id of the plain log (itself when unknown). */
  newCustomerId(oldId: string): string {
    this.settle();
    return this.newIds.get(oldId) ?? oldId;
  }

  /** The customer id of the plain log for one of the pseudonymous log (itself when unknown). */
  oldCustomerId(newId: string): string {
    this.settle();
    return this.oldIds.get(newId) ?? newId;
  }

  /** Whether an id is one the plain log derived from a plain identity (and so must not survive). */
  isPlainCustomerId(id: string): boolean {
    this.settle();
    const mapped = this.newIds.get(id);
    return mapped !== undefined && mapped !== id;
  }

  /** Customers the plain log records as erased, by their new ids: their data keys must not survive the move. */
  erasedCustomerIds(): string[] {
    return [...this.erasedOldIds].map((id) => this.newCustomerId(id));
  }

  /** Every plain identity value and identity key learnt (what must not be found in the new log). */
  plainValues(): Set<string> {
    const values = new Set<string>();
    for (const [key, { plain }] of this.identities) {
      values.add(key);
      values.add(plain.value);
    }
    return values;
  }

  private readonly toNew = (s: string): string => this.mapId(s, this.newIds);
  private readonly toOld = (s: string): string => this.mapId(s, this.oldIds);

  private mapId(s: string, ids: Map<string, string>): string {
    const direct = ids.get(s);
    if (direct !== undefined) return direct;
    if (s.startsWith(CUSTOMER_STREAM)) {
      const id = ids.get(s.slice(CUSTOMER_STREAM.length));
      if (id !== undefined) return CUSTOMER_STREAM + id;
    }
    return s;
  }

  /** A plain identity key (`email:ann@example.com`) as its pseudonymous key (`email:~…`). */
  private pseudonymousKeyOf(key: string): string {
    const known = this.identities.get(key);
    if (known) return identityKey(known.pseudonymous);
    if (key.includes(':~')) return key;
    const kind = key.slice(0, key.indexOf(':')) as ChannelIdentity['kind'];
    const network = kind === 'social' ? key.split(':')[1] : undefined;
    const pseudonymousKey = identityKey({ kind, network, value: this.hash(key) });
    this.hashedKeys.set(pseudonymousKey, key);
    return pseudonymousKey;
  }

  private plainKeyOf(key: string): string {
    const known = this.byPseudonymousKey.get(key);
    return known ? identityKey(known.plain) : (this.hashedKeys.get(key) ?? key);
  }

  /** The event as the pseudonymous log holds it (before the log encrypts its personal fields). */
  rewrite(event: LoggedEventOf): RewrittenEvent {
    this.settle();
    const { data, metadata } = event;
    const streamId = this.toNew(event.streamId);
    if (!isObject(data)) return { streamId, data, metadata: mapStrings(metadata, this.toNew) };
    switch (kindOf(event.type)) {
      case 'ingested': {
        const [primary, ...further] = ingestedIdentities(data).map((i) =>
          pseudonymise(i, this.hash),
        );
        const customerId = customerIdFor(primary);
        const rewritten: Json = {
          ...(mapStrings(data, this.toNew, INGESTED_IDENTITY_FIELDS) as Json),
          identity: primary,
          ...(Array.isArray(data.identities) ? { identities: further } : {}),
        };
        return {
          streamId: customerStreamId(customerId),
          data: rewritten,
          metadata: {
            ...(mapStrings(metadata, this.toNew) as Json),
            customerId,
            identityKey: identityKey(primary),
          },
        };
      }
      case 'graph': {
        const forGraph = (i: unknown) =>
          isObject(i)
            ? graphIdentityOf(this.policy, pseudonymise(i as unknown as IdentityLike, this.hash))
            : i;
        const rewritten: Json = {
          ...(mapStrings(data, this.toNew, GRAPH_IDENTITY_FIELDS) as Json),
        };
        if ('identity' in data) rewritten.identity = forGraph(data.identity);
        if ('via' in data) rewritten.via = forGraph(data.via);
        if (Array.isArray(data.evidence)) rewritten.evidence = data.evidence.map(forGraph);
        return { streamId, data: rewritten, metadata: mapStrings(metadata, this.toNew) };
      }
      case 'erasure': {
        const rewritten = mapStrings(data, this.toNew) as Json;
        return {
          streamId,
          data: Array.isArray(data.identityKeys)
            ? {
                ...rewritten,
                identityKeys: data.identityKeys.map((k) =>
                  typeof k === 'string' ? this.pseudonymousKeyOf(k) : k,
                ),
              }
            : rewritten,
          metadata: mapStrings(metadata, this.toNew),
        };
      }
      default:
        return {
          streamId,
          data: mapStrings(data, this.toNew),
          metadata: mapStrings(metadata, this.toNew),
        };
    }
  }

  /**
   * The inverse of `rewrite` for an event of the pseudonymous log read back decrypted: ingested
   * identities take their `plainValue` back (or, erased, the value learnt from the plain
   * log), graph identities the value learnt, customer ids and streams their old ids.
   */
  restore(event: LoggedEventOf): RewrittenEvent {
    this.settle();
    const { data, metadata } = event;
    const streamId = this.toOld(event.streamId);
    if (!isObject(data)) return { streamId, data, metadata: mapStrings(metadata, this.toOld) };
    const plainOf = (i: unknown): unknown => {
      if (!isObject(i)) return i;
      const { plainValue, blocked: _blocked, ...rest } = i as unknown as IdentityLike;
      if (typeof plainValue === 'string') return { ...rest, value: plainValue };
      const known = this.byPseudonymousKey.get(identityKey(rest));
      if (!known && !isErased(plainValue)) return i;
      return { ...rest, value: known ? known.plain.value : rest.value };
    };
    switch (kindOf(event.type)) {
      case 'ingested': {
        const restored: Json = {
          ...(mapStrings(data, this.toOld, INGESTED_IDENTITY_FIELDS) as Json),
          identity: plainOf(data.identity),
          ...(Array.isArray(data.identities) ? { identities: data.identities.map(plainOf) } : {}),
        };
        const meta = mapStrings(metadata, this.toOld) as Json;
        return {
          streamId,
          data: restored,
          metadata:
            typeof meta.identityKey === 'string'
              ? { ...meta, identityKey: this.plainKeyOf(meta.identityKey) }
              : meta,
        };
      }
      case 'graph': {
        const restored: Json = { ...(mapStrings(data, this.toOld, GRAPH_IDENTITY_FIELDS) as Json) };
        if ('identity' in data) restored.identity = plainOf(data.identity);
        if ('via' in data) restored.via = plainOf(data.via);
        if (Array.isArray(data.evidence)) restored.evidence = data.evidence.map(plainOf);
        return { streamId, data: restored, metadata: mapStrings(metadata, this.toOld) };
      }
      case 'erasure': {
        const restored = mapStrings(data, this.toOld) as Json;
        return {
          streamId,
          data: Array.isArray(data.identityKeys)
            ? {
                ...restored,
                identityKeys: data.identityKeys.map((k) =>
                  typeof k === 'string' ? this.plainKeyOf(k) : k,
                ),
              }
            : restored,
          metadata: mapStrings(metadata, this.toOld),
        };
      }
      default:
        return {
          streamId,
          data: mapStrings(data, this.toOld),
          metadata: mapStrings(metadata, this.toOld),
        };
    }
  }
}

/**
 * What is wrong with an event of a pseudonymous log, read back decrypted, by the scheme
 * itself (independently of how it was written): every identity a pseudonym, an ingested
 * identity's pseudonym the hash of its plain value, the ingested event's identity key,
 * customer id and stream derived from its pseudonymous primary identity, no plain value in
 * the identity graph. Empty when nothing is.
 */
export function pseudonymousSchemeProblems(event: LoggedEventOf, hash: IdentityHasher): string[] {
  const problems: string[] = [];
  const data = event.data;
  if (!isObject(data)) return problems;
  const kind = kindOf(event.type);
  if (kind === 'ingested') {
    const identities = ingestedIdentities(data);
    identities.forEach((identity, i) => {
      const where = i === 0 ? 'data.identity' : `data.identities[${i - 1}]`;
      if (!isObject(identity) || !isPseudonym(String(identity.value)))
        problems.push(`${where} is not pseudonymous`);
      else if (
        typeof identity.plainValue === 'string' &&
        hash(identityKey({ ...identity, value: identity.plainValue })) !== identity.value
      )
        problems.push(`${where}: the pseudonym is not that of its plain value`);
      else if (identity.plainValue === undefined) problems.push(`${where} has no plainValue`);
    });
    const primary = identities[0];
    const metadata = isObject(event.metadata) ? event.metadata : {};
    if (isObject(primary)) {
      const customerId = customerIdFor(primary);
      if (metadata.identityKey !== identityKey(primary))
        problems.push('metadata.identityKey is not the primary identity’s pseudonymous key');
      if (metadata.customerId !== customerId)
        problems.push('metadata.customerId does not derive from the pseudonymous identity');
      if (event.streamId !== customerStreamId(customerId))
        problems.push('the stream is not the pseudonymous customer’s');
    }
  } else if (kind === 'graph') {
    graphIdentities(data).forEach((identity) => {
      if (!isPseudonym(String(identity.value)) || identity.plainValue !== undefined)
        problems.push('an identity-graph identity is not pseudonymous');
    });
  }
  return problems;
}
