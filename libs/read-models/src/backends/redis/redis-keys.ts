import { createHash } from 'node:crypto';
import { type ClosenessConfig } from '@rapport/domain';
import stringify from 'safe-stable-stringify';

/*
 * Every key the Redis backend uses. A model's keys live under a prefix: the read models'
 * own (`rapport:`) for version 0 of a projection, `<prefix>v<n>:` for version n.
 */

/** The read models' prefix when their URL names none. */
export const DEFAULT_REDIS_PREFIX = 'rapport:';

const LEASES = 'lease:';
const VERSION_BOOKKEEPING = 'projections:';
const LIVE_POINTERS = `${VERSION_BOOKKEEPING}live:`;
const CLEAN_REBUILD = 'rebuild:';
/**
 * Access control's state, presence, and the staff annotations (not versioned: rebuilt by
 * replaying into an empty model): never compared with a clean rebuild of the versioned ones.
 */
const ACCESS_STATE = ['access:', 'audit:', 'rate:', 'presence:', 'annotations:'];

/** Access control's shared state: adapter keys, the audit trail, rate-limit windows. */
export function accessKeys(prefix: string) {
  return {
    /** key id → `AdapterKeyRecord` (JSON) */
    adapterKeys: `${prefix}access:adapter-keys`,
    /** key id → when it was revoked (apart from the record: a rotation cannot undo it) */
    revokedAdapterKeys: `${prefix}access:adapter-keys-revoked`,
    /** every audit entry, scored by time */
    auditAll: `${prefix}audit:all`,
    /** one customer's audit entries, scored by time */
    auditOfCustomer: (customerId: string) => `${prefix}audit:customer:${customerId}`,
    /** one principal's hits in the current window */
    rateWindow: (key: string) => `${prefix}rate:${key}`,
  };
}

/** Where a model keeps the log position it has applied up to, written with its data. */
export function checkpointKey(prefix: string, projection: string): string {
  return `${prefix}checkpoint:${projection}`;
}

/** Held by the one process writing `name` (a projection, or `rebuild:<projection>`). */
export function leaseKey(prefix: string, name: string): string {
  return `${prefix}${LEASES}${name}`;
}

/** Where the identity graph lives: the domain's own records, as JSON in hashes. */
export interface RedisGraphKeys {
  /** customer id → `CustomerRecord` */
  readonly customers: string;
  /** identity key → `IdentityRecord` */
  readonly identities: string;
  /** `kept:<pair>` / `suggested:<pair>` → 1 */
  readonly pairs: string;
  /** how many identity events the graph has folded (the records' sequence numbers count them) */
  readonly eventCount: string;
}

export function graphKeys(prefix: string): RedisGraphKeys {
  return {
    customers: `${prefix}graph:customer`,
    identities: `${prefix}graph:identity`,
    pairs: `${prefix}graph:pairs`,
    eventCount: `${prefix}graph:events`,
  };
}

export type TimelineKeys = ReturnType<typeof timelineKeys>;

export function timelineKeys(prefix: string) {
  const timelines = `${prefix}timeline:`;
  const activities = `${prefix}activity:`;
  const filtered = `${prefix}timeline-by:`;
  return {
    checkpoint: checkpointKey(prefix, 'timeline'),
    /** identity key → the customer of the identity's stream */
    streamCustomers: `${prefix}identity`,
    /** customer id → its stream's identity (JSON) */
    streamIdentities: `${prefix}stream-identity`,
    /** Pseudonymous identity key → its plain value, for display; emptied by an erasure. */
    plainIdentities: `${prefix}identity-plain`,
    /** Customer ids forgotten: they answer as unknown (the graph, pseudonymous, still holds them). */
    erasedCustomers: `${prefix}erased-customers`,
    graph: graphKeys(prefix),
    /** An identity's entries: a sorted set scored by occurredAt (ms). */
    timeline: (identityKey: string) => `${timelines}${identityKey}`,
    /** An identity's counts per channel. */
    activity: (identityKey: string) => `${activities}${identityKey}`,
    /**
     * An identity's entries of one channel, direction or type (a filter's index): the same
     * scores as `timeline`, members the entries' zero-padded log positions only.
     */
    timelineBy: (dimension: 'channel' | 'direction' | 'type', value: string, identityKey: string) =>
      `${filtered}${dimension}:${encodeURIComponent(value)}:${identityKey}`,
    /** What every per-identity key starts with. */
    perIdentity: [timelines, activities, filtered],
  };
}

export type ClosenessKeys = ReturnType<typeof closenessKeys>;

/**
 * Closeness keys are per configuration: other weights or another landmark start a model of
 * their own (rebuilt from the log by the projector), never a mix of two formulas.
 */
export function closenessKeys(prefix: string, config: ClosenessConfig) {
  const fingerprint = closenessFingerprint(config);
  /** Every key but the checkpoint. */
  const space = `${prefix}closeness:${fingerprint}:`;
  return {
    space,
    checkpoint: checkpointKey(prefix, `closeness:${fingerprint}`),
    /** The ranking: customers scored by their ranking key. */
    rank: `${space}rank`,
    /** customer → folded state (JSON) */
    state: `${space}state`,
    /** customer → last contact (ms) */
    last: `${space}last`,
    /** The latest contact applied (any customer). */
    latest: `${space}latest`,
    /** The index of days, each at the highest ranking key filed under it. */
    days: `${space}days`,
    /** bucket → the customer whose own facts were first filed under it */
    streamCustomers: `${space}stream-customer`,
    /** customer → the bucket its own facts were first filed under */
    customerStreams: `${space}customer-stream`,
    graph: graphKeys(space),
    /** The at-risk index: customers whose last contact was on UTC day `day`, by ranking key. */
    day: (day: number | '') => `${space}day:${day}`,
    /** The same by UTC hour (read for the day the at-risk window starts on). */
    hour: (hour: number | '') => `${space}hour:${hour}`,
    /** A bucket's facts: event id → fact (JSON). */
    facts: (bucket: string) => `${space}facts:${bucket}`,
  };
}

/**
 * The version of the closeness key layout (2: facts in buckets, the model's own identity
 * graph): a new layout starts a model of its own, as a new configuration does.
 */
const CLOSENESS_LAYOUT = 2;

/** A short, stable name of a configuration: the same weights always give the same keys. */
function closenessFingerprint(config: ClosenessConfig): string {
  return createHash('sha1')
    .update(`${CLOSENESS_LAYOUT}:${stringify(config) ?? ''}`)
    .digest('hex')
    .slice(0, 10);
}

export type IdeaKeys = ReturnType<typeof ideaKeys>;

export function ideaKeys(prefix: string) {
  const space = `${prefix}ideas:`;
  return {
    checkpoint: checkpointKey(prefix, 'ideas'),
    /** What every backlog key but the checkpoint starts with. */
    space,
    /** idea id → `IdeaView` (JSON) */
    docs: `${space}doc`,
    /** idea id → `BacklogEntry` (JSON) */
    entries: `${space}entry`,
    /** The ideas in a status (merged ones are in none). */
    status: (status: string) => `${space}status:${status}`,
    /** The ideas a customer submitted or supported. */
    customer: (customerId: string) => `${space}customer:${customerId}`,
  };
}

export type VersionKeys = ReturnType<typeof versionKeys>;

/** The blue/green bookkeeping of the read models under `prefix`. */
export function versionKeys(prefix: string) {
  return {
    /** Where version `version`'s keys live (version 0: the prefix itself). */
    prefixOf: (version: number) => (version === 0 ? prefix : `${prefix}v${version}:`),
    /** The live version of a projection. */
    live: (name: string) => `${prefix}${LIVE_POINTERS}${name}`,
    /** A rebuild's record: the version it builds and when it started. */
    rebuild: (name: string) => `${prefix}${VERSION_BOOKKEEPING}rebuild:${name}`,
    /** Versions switched out and not yet dropped, as `<name>:<version>`. */
    retired: `${prefix}${VERSION_BOOKKEEPING}retired`,
    /** The last version number handed out (never reused). */
    lastVersion: `${prefix}${VERSION_BOOKKEEPING}last-version`,
    /** Held by the process rebuilding `name`. */
    rebuildLease: (name: string) => leaseKey(prefix, `rebuild:${name}`),
  };
}

/** Where `cleanRebuildDump` rebuilds the models to compare with the live ones. */
export function cleanRebuildPrefix(prefix: string): string {
  return `${prefix}${CLEAN_REBUILD}`;
}

/** What a key (named relative to the read models' prefix) is, for comparing dumps. */
export function relativeKeyKind(
  key: string,
):
  | { kind: 'model' }
  | { kind: 'versioned'; version: number; key: string }
  | { kind: 'live-pointer' }
  | { kind: 'other' } {
  if (key.startsWith(LIVE_POINTERS)) return { kind: 'live-pointer' };
  if (
    key.startsWith(LEASES) ||
    key.startsWith(CLEAN_REBUILD) ||
    key.startsWith(VERSION_BOOKKEEPING) ||
    ACCESS_STATE.some((start) => key.startsWith(start))
  )
    return { kind: 'other' };
  const versioned = /^v(\d+):/.exec(key);
  if (!versioned) return { kind: 'model' };
  return { kind: 'versioned', version: Number(versioned[1]), key: key.slice(versioned[0].length) };
}
