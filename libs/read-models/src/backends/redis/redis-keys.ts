import { createHash } from 'node:crypto';
import { type ClosenessConfig } from '@rapport/domain';
import stringify from 'safe-stable-stringify';

/*
 * Every key the Redis backend uses. A model's keys live under a prefix: the read models'
 * own (`rapport:`) for version 0 of a projection, `<prefix>v<n>:` for version n. After the
 * prefix comes a hash tag naming what one lease fences — the projection (`{timeline}`) —
 * so that every key a batch script, a version switch, a MULTI or a pipeline touches is in
 * one Redis Cluster slot, whatever the version (ADR 0037):
 * `rapport:{timeline}:timeline:<identity>`, `rapport:v3:{timeline}:timeline:<identity>`,
 * `rapport:{timeline}:lease:timeline`, `rapport:{timeline}:projections:live:timeline`.
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

/**
 * Where the keys of one slot unit start: `<prefix>{<unit>}:`. Redis Cluster hashes only the
 * tag, so every key under it — of any version of the unit — is in one slot.
 */
export function slotPrefix(prefix: string, unit: string): string {
  return `${prefix}{${unit}}:`;
}

/** The unit a lease's name belongs to: a rebuild's lock (`rebuild:<name>`) fences `<name>`. */
function unitOfLease(name: string): string {
  return name.startsWith(CLEAN_REBUILD) ? name.slice(CLEAN_REBUILD.length) : name;
}

/** Access control's shared state: adapter keys, the audit trail, rate-limit windows. */
export function accessKeys(prefix: string) {
  return {
    /** key id → `AdapterKeyRecord` (JSON) */
    adapterKeys: `${prefix}access:adapter-keys`,
    /** key id → when it was revoked (apart from the record: a rotation cannot undo it) */
    revokedAdapterKeys: `${prefix}access:adapter-keys-revoked`,
    /** every audit entry, scored by time (in one slot with the customers': one MULTI writes both) */
    auditAll: `${slotPrefix(prefix, 'audit')}audit:all`,
    /** one customer's audit entries, scored by time */
    auditOfCustomer: (customerId: string) =>
      `${slotPrefix(prefix, 'audit')}audit:customer:${customerId}`,
    /** one principal's hits in the current window */
    rateWindow: (key: string) => `${prefix}rate:${key}`,
  };
}

/**
 * Where a model keeps the log position it has applied up to, written with its data:
 * `space` is the model's slot prefix (`slotPrefix`).
 */
export function checkpointKey(space: string, projection: string): string {
  return `${space}checkpoint:${projection}`;
}

/**
 * Held by the one process writing `name` (a projection, or `rebuild:<projection>`): in the
 * slot of the projection it fences, as each batch script checks it with the model's keys.
 */
export function leaseKey(prefix: string, name: string): string {
  return `${slotPrefix(prefix, unitOfLease(name))}${LEASES}${name}`;
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
  const space = slotPrefix(prefix, 'timeline');
  const timelines = `${space}timeline:`;
  const activities = `${space}activity:`;
  const filtered = `${space}timeline-by:`;
  return {
    /** The slot prefix of every timeline key (the name index and the suggestion queue too). */
    space,
    checkpoint: checkpointKey(space, 'timeline'),
    /** identity key → the customer of the identity's stream */
    streamCustomers: `${space}identity`,
    /** customer id → its stream's identity (JSON) */
    streamIdentities: `${space}stream-identity`,
    /** Pseudonymous identity key → its plain value, for display; emptied by an erasure. */
    plainIdentities: `${space}identity-plain`,
    /** Customer ids forgotten: they answer as unknown (the graph, pseudonymous, still holds them). */
    erasedCustomers: `${space}erased-customers`,
    graph: graphKeys(space),
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
  const slot = slotPrefix(prefix, 'closeness');
  /** Every key but the checkpoint. */
  const space = `${slot}closeness:${fingerprint}:`;
  return {
    space,
    checkpoint: checkpointKey(slot, `closeness:${fingerprint}`),
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
  const slot = slotPrefix(prefix, 'ideas');
  const space = `${slot}ideas:`;
  return {
    checkpoint: checkpointKey(slot, 'ideas'),
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

/**
 * The blue/green bookkeeping of the read models under `prefix`: a projection's in its slot
 * (the switch script touches its pointer, record, retired set and both versions' checkpoints).
 */
export function versionKeys(prefix: string) {
  return {
    /** Where version `version`'s keys live (version 0: the prefix itself). */
    prefixOf: (version: number) => (version === 0 ? prefix : `${prefix}v${version}:`),
    /** The live version of a projection. */
    live: (name: string) => `${slotPrefix(prefix, name)}${LIVE_POINTERS}${name}`,
    /** A rebuild's record: the version it builds and when it started. */
    rebuild: (name: string) => `${slotPrefix(prefix, name)}${VERSION_BOOKKEEPING}rebuild:${name}`,
    /** A projection's versions switched out and not yet dropped, as `<name>:<version>`. */
    retired: (name: string) => `${slotPrefix(prefix, name)}${VERSION_BOOKKEEPING}retired`,
    /** The last version number handed out, to any projection (never reused). */
    lastVersion: `${prefix}${VERSION_BOOKKEEPING}last-version`,
    /** Held by the process rebuilding `name`. */
    rebuildLease: (name: string) => leaseKey(prefix, `rebuild:${name}`),
  };
}

/** Where `cleanRebuildDump` rebuilds the models to compare with the live ones. */
export function cleanRebuildPrefix(prefix: string): string {
  return `${prefix}${CLEAN_REBUILD}`;
}

/**
 * What a key (named relative to the read models' prefix) is, for comparing dumps: its slot
 * tag (`{timeline}:`) aside, by what follows it.
 */
export function relativeKeyKind(
  key: string,
):
  | { kind: 'model' }
  | { kind: 'versioned'; version: number; key: string }
  | { kind: 'live-pointer' }
  | { kind: 'other' } {
  const untagged = key.replace(/^\{[^}]*\}:/, '');
  if (untagged !== key && relativeKeyKind(untagged).kind !== 'model')
    return relativeKeyKind(untagged);
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
