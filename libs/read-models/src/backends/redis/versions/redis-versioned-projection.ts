import { type EventStore } from '@rapport/event-store';
import { type RedisConnection } from '../redis-connection';
import { eventFiltersOfCurrent } from '../../../projection/personal-data-of';
import { ProjectionRunner, type ProjectionTarget } from '../../../projection/projection-runner';
import { catchUpAndSwitch, RebuildReport } from '../../../versions/catch-up-and-switch';
import { liveVersionReader } from '../../../versions/live-version-reader';
import {
  type ProjectionVersionState,
  RebuildAlreadyRunningError,
  type RebuildOptions,
  type RebuildOutcome,
  type RebuildableProjection,
  type RebuildRun,
} from '../../../versions/rebuildable-projection';
import { type RedisFence, RedisLease } from '../redis-lease';
import { type RedisProjectionLayout } from './redis-projection-layouts';
import { type RedisProjectionVersions } from './redis-projection-versions';

/** How long a rebuilder that died keeps the rebuild lock. */
const REBUILD_LEASE_TTL_MS = 10_000;

/**
 * One projection's read model in Redis, in versions (blue/green): readers and the live
 * projector follow the live version; `rebuild` builds a new one beside it under
 * `<prefix>v<n>:` with the ordinary projection runner, switches the pointer once the new
 * version has caught up (atomically, and only when it is at or past the old one), then
 * drops the old version. A stopped rebuild keeps its half-built version and resumes it.
 */
export class RedisVersionedProjection<
  M extends { clear(): Promise<void>; checkpoint(): Promise<number> },
> implements RebuildableProjection {
  readonly name: string;
  private readonly readers = new Map<number, M>();

  constructor(
    private readonly redis: RedisConnection,
    private readonly versions: RedisProjectionVersions,
    private readonly layout: RedisProjectionLayout<M>,
  ) {
    this.name = layout.name;
  }

  /**
   * The read model as queries see it: every call is answered by one whole version — the
   * live one when the call ended (see `RedisProjectionVersions.readLive`). For a port whose
   * methods are all async (every read-model port is).
   */
  reader<Port extends object>(): Port {
    return liveVersionReader<Port>(this.modelAt(0) as unknown as Port, (call) =>
      this.versions.readLive(this.name, (version) =>
        call(this.modelAt(version) as unknown as Port),
      ),
    );
  }

  /**
   * What the live projector writes through: the live version, looked up before every batch.
   * After a switch its next batch fails the checkpoint check of the old version (set to -1
   * by the switch) or of the new one, and the runner resumes from the new one's checkpoint.
   */
  liveTarget(fence?: RedisFence): ProjectionTarget {
    const targets = new Map<number, ProjectionTarget>();
    const live = async (): Promise<ProjectionTarget> => {
      const version = await this.versions.live(this.name);
      let target = targets.get(version);
      if (!target) {
        targets.clear();
        target = this.layout.target(this.layout.modelAt(this.versions.prefixOf(version), fence));
        targets.set(version, target);
      }
      return target;
    };
    return {
      name: this.name,
      // The runner reads the checkpoint (and so builds the live target) before any event.
      ...eventFiltersOfCurrent(() => targets.values().next().value),
      checkpoint: async () => {
        for (;;) {
          const position = await (await live()).checkpoint();
          // -1: switched out between the two reads; the pointer names the new version now.
          if (position >= 0) return position;
        }
      },
      applyBatch: async (events, range) => (await live()).applyBatch(events, range),
    };
  }

  async state(): Promise<ProjectionVersionState> {
    const version = await this.versions.live(this.name);
    const [checkpoint, record] = await Promise.all([
      this.modelAt(version).checkpoint(),
      this.versions.rebuildRecord(this.name),
    ]);
    const rebuild = record
      ? {
          version: record.version,
          position: await this.modelAt(record.version).checkpoint(),
          startedAt: record.startedAt,
          running: (await this.redis.exists(this.versions.keys.rebuildLease(this.name))) === 1,
        }
      : null;
    return { name: this.name, version, checkpoint, rebuild };
  }

  async rebuild(store: EventStore, options: RebuildOptions = {}): Promise<RebuildRun> {
    const lease = new RedisLease(this.redis, {
      key: this.versions.keys.rebuildLease(this.name),
      ttlMs: REBUILD_LEASE_TTL_MS,
    });
    if (!(await lease.tryAcquire()))
      throw new RebuildAlreadyRunningError(this.name, await this.redis.get(lease.key));
    const lost = new AbortController();
    let record;
    try {
      await lease.hold({ onLost: () => lost.abort() });
      await this.dropRetired(options.log);
      record = await this.versions.rebuildRecord(this.name);
      if (record && options.restart) {
        options.log?.(`${this.name}: dropping the stopped rebuild's version ${record.version}`);
        await this.versions.unlinkVersion(record.version);
        await this.versions.forgetRebuild(this.name);
        record = null;
      }
      record ??= await this.versions.startRebuild(this.name);
    } catch (error) {
      await lease.release().catch(() => undefined);
      throw error;
    }
    const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
    const done = this.build(store, record.version, lease.fence(), { ...options, signal }).finally(
      () => lease.release().catch(() => undefined),
    );
    done.catch(() => undefined); // the caller's to handle; never an unhandled rejection here
    return { name: this.name, version: record.version, done };
  }

  private async build(
    store: EventStore,
    version: number,
    fence: RedisFence,
    options: RebuildOptions & { signal: AbortSignal },
  ): Promise<RebuildOutcome> {
    const { log } = options;
    const previous = await this.versions.live(this.name);
    const target = this.layout.target(this.layout.modelAt(this.versions.prefixOf(version), fence));
    const resumedFrom = await target.checkpoint();
    log?.(
      `${this.name}: building version ${version} under ${this.versions.prefixOf(version)}${resumedFrom ? ` (resuming at ${resumedFrom})` : ''}; version ${previous} stays live`,
    );
    const runner = new ProjectionRunner(store, target, {
      batchSize: options.batchSize ?? 1000,
      log,
    });
    const report = new RebuildReport(
      store,
      runner,
      { name: this.name, version, previousVersion: previous, resumedFrom },
      options.onProgress,
    );
    const trySwitch = async () => {
      const result = await this.versions.trySwitch(this.name, previous, version, (prefix) =>
        this.layout.checkpointKey(prefix),
      );
      if (result.outcome === 'moved')
        throw new Error(
          `${this.name}: version ${result.liveVersion} went live during the rebuild of version ${version}`,
        );
      return result.outcome === 'switched';
    };
    try {
      if ((await catchUpAndSwitch(runner, trySwitch, report, options.signal)) === 'stopped') {
        await runner.stop();
        log?.(
          `${this.name}: stopped at ${runner.status().position}; version ${previous} stays live, rerun to resume`,
        );
        return report.outcome('stopped');
      }
      await runner.stop();
      log?.(
        `${this.name}: version ${version} is live (at ${runner.status().position}); dropping version ${previous}`,
      );
      await report.progress('dropping');
      await this.drop(previous);
      return report.outcome('switched');
    } finally {
      report.stop();
      await runner.stop();
    }
  }

  /** Finishes dropping versions switched out earlier (a drop interrupted by a crash or Ctrl-C). */
  private async dropRetired(log?: (line: string) => void): Promise<void> {
    const live = await this.versions.live(this.name);
    for (const version of await this.versions.retired(this.name)) {
      if (version === live) continue;
      log?.(`${this.name}: dropping version ${version}, switched out earlier`);
      await this.drop(version);
    }
  }

  private async drop(version: number): Promise<void> {
    if (version === 0) await this.layout.modelAt(this.versions.prefix).clear();
    else await this.versions.unlinkVersion(version);
    await this.versions.forgetRetired(this.name, version);
    this.readers.delete(version);
  }

  private modelAt(version: number): M {
    let model = this.readers.get(version);
    if (!model) {
      model = this.layout.modelAt(this.versions.prefixOf(version));
      this.readers.set(version, model);
    }
    return model;
  }
}
