import { type ClosenessConfig, type IdentityPolicy } from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import { type AccessStores } from './access/access-stores';
import { type CustomerAnnotations } from './annotations/customer-annotations';
import { type LiveChanges } from './live/live-changes';
import { type PresenceStore } from './live/presence-store';
import { memoryReadModels } from './backends/memory/memory-read-models';
import { isRedisClusterUrl } from './backends/redis/redis-connection';
import { redisReadModels } from './backends/redis/redis-read-models';
import { type ClosenessReadModel } from './closeness/closeness-read-model';
import { type IdeaBacklog } from './ideas/idea-backlog';
import { lazy } from './lazy';
import { type ProjectionTarget } from './projection/projection-runner';
import { type RunningProjection } from './projection/running-projection';
import { type TimelineReadModel } from './timeline/timeline-read-model';
import { type RebuildableProjection } from './versions/rebuildable-projection';

/** A process that follows the log under a lease: a name, and what each batch goes to. */
export interface LeasedProcess {
  readonly name: string;
  readonly target: () => ProjectionTarget;
  readonly batchSize?: number;
}

/** The read models of one backend, and how that backend runs their projections. */
export interface ReadModels {
  /** True when the models live in this process (memory): no other process can read or rebuild them. */
  readonly inProcess: boolean;
  /** Adapter keys, the audit trail and rate limits, shared by the replicas using this backend. */
  readonly access: AccessStores;
  readonly timeline: TimelineReadModel;
  /** Starts the timeline projection; resolves once it has caught up with the log. */
  startTimelineProjection(
    store: EventStore,
    log: (line: string) => void,
  ): Promise<RunningProjection>;
  /** Closeness scores, keyed by `metadata.customerId` (merges are not followed yet). */
  readonly closeness: ClosenessReadModel;
  /**
   * Starts a process that follows the log without a read model of its own (identity
   * resolution appends decisions to the log), under this backend's lease for its `name`
   * (one replica at a time); resolves once it has caught up.
   */
  startLeasedProcess(
    store: EventStore,
    log: (line: string) => void,
    process: LeasedProcess,
  ): Promise<RunningProjection>;
  /** Starts the closeness projection; resolves once it has caught up with the log. */
  startClosenessProjection(
    store: EventStore,
    log: (line: string) => void,
  ): Promise<RunningProjection>;
  /** The idea backlog, its projection and the idea loop's followers, on these read models' connection. */
  readonly ideas: IdeaBacklog;
  /**
   * Staff notes and labels, and their projection (not versioned: not in `projections`). The
   * timeline and annotation projections publish what they changed to `live`.
   */
  readonly annotations: CustomerAnnotations;
  /** What the projections changed, for open pages (pub/sub in Redis, an emitter in memory). */
  readonly live: LiveChanges;
  /** Who has a customer open right now. */
  readonly presence: PresenceStore;
  /**
   * Every projection that keeps a read model (timeline, closeness, ideas, in
   * `REBUILDABLE_PROJECTIONS` order), rebuildable blue/green (`rapport rebuild`, the admin API).
   */
  readonly projections: readonly RebuildableProjection[];
  /**
   * Each projection's checkpoint as its live version holds it, leaving out those that never
   * wrote: how far the projectors are, read by any process (`rapport stats`).
   */
  checkpoints(): Promise<Map<string, number>>;
  /** Stops every projection and follower started here (the idea backlog's too), then disconnects. */
  close(): Promise<void>;
}

/** Settings of the read models beyond their URL. */
export interface ReadModelsOptions {
  /** The closeness weights and half-life (`RAPPORT_CLOSENESS`); the defaults otherwise. */
  readonly closeness?: ClosenessConfig;
  /** The identity rules (`RAPPORT_IDENTITY_POLICY`); the defaults otherwise. */
  readonly identityPolicy?: IdentityPolicy;
}

/** A read-model URL that names no backend. */
export class UnknownReadModelStoreError extends Error {
  override readonly name = 'UnknownReadModelStoreError';
  constructor(readonly url: string) {
    super(
      `RAPPORT_READ_MODELS=${url}: unknown read-model store; use memory, redis://host:6379 or redis-cluster://host:7001,host:7002`,
    );
  }
}

/**
 * Opens the read models a URL names: `memory` (the embedded default, rebuilt from the
 * log at every start; also an empty URL) or `redis://host:6379/0?prefix=rapport:` (kept in
 * Redis, written by one projector at a time under a lease), or the same in a Redis Cluster:
 * `redis-cluster://host:7001,host:7002?prefix=rapport:` (its seed nodes; ADR 0037). Nothing is built or connected
 * before a model is first used; options given as a function are read only then.
 */
export function openReadModels(
  url: string,
  options: ReadModelsOptions | (() => ReadModelsOptions) = {},
): ReadModels {
  const settings = lazy(typeof options === 'function' ? options : () => options);
  if (url === '' || url === 'memory' || url === 'memory:') return memoryReadModels(settings);
  if (url.startsWith('redis://') || url.startsWith('rediss://') || isRedisClusterUrl(url))
    return redisReadModels(url, settings);
  throw new UnknownReadModelStoreError(url);
}
