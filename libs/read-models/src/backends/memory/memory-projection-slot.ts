import { type EventStore } from '@rapport/event-store';
import { eventFiltersOfCurrent } from '../../projection/personal-data-of';
import { ProjectionRunner, type ProjectionTarget } from '../../projection/projection-runner';
import { catchUpAndSwitch, RebuildReport } from '../../versions/catch-up-and-switch';
import { liveVersionReader } from '../../versions/live-version-reader';
import {
  type ProjectionVersionState,
  RebuildAlreadyRunningError,
  type RebuildOptions,
  type RebuildOutcome,
  type RebuildableProjection,
  type RebuildRun,
} from '../../versions/rebuildable-projection';

/**
 * One projection's in-memory read model in a slot (blue/green in process memory): readers
 * and the live projector use whatever model the slot holds; `rebuild` builds a new model
 * from the log beside it and puts it in the slot once it is at or past the live one — one
 * assignment, under the lock every batch takes, so no batch is half on either side. The
 * old model is left to the garbage collector (a query still running on it finishes on a
 * whole model). A stopped rebuild's model is dropped: it lives in this process only.
 */
export class MemoryProjectionSlot<
  M extends { checkpoint(): Promise<number> },
> implements RebuildableProjection {
  private current: M;
  private version = 0;
  private lastVersion = 0;
  private building: { version: number; startedAt: string; runner: ProjectionRunner } | null = null;
  private lock: Promise<unknown> = Promise.resolve();
  private readonly targets = new WeakMap<M, ProjectionTarget>();

  constructor(
    readonly name: string,
    initial: M,
    private readonly create: () => M,
    private readonly targetOf: (model: M) => ProjectionTarget,
  ) {
    this.current = initial;
  }

  /** The read model as queries see it: each call answered by the model in the slot. */
  reader<Port extends object>(): Port {
    return liveVersionReader<Port>(this.current as unknown as Port, (call) =>
      call(this.current as unknown as Port),
    );
  }

  /** What the live projector writes through: the model in the slot, one batch at a time. */
  liveTarget(): ProjectionTarget {
    return this.lockedTarget(() => this.current);
  }

  async state(): Promise<ProjectionVersionState> {
    const building = this.building;
    return {
      name: this.name,
      version: this.version,
      checkpoint: await this.current.checkpoint(),
      rebuild: building && {
        version: building.version,
        position: building.runner.status().position,
        startedAt: building.startedAt,
        running: true,
      },
    };
  }

  async rebuild(store: EventStore, options: RebuildOptions = {}): Promise<RebuildRun> {
    if (this.building) throw new RebuildAlreadyRunningError(this.name, 'this process');
    const version = ++this.lastVersion;
    const model = this.create();
    const runner = new ProjectionRunner(
      store,
      this.lockedTarget(() => model),
      { batchSize: options.batchSize ?? 1000, log: options.log },
    );
    this.building = { version, startedAt: new Date().toISOString(), runner };
    const done = this.build(store, version, model, runner, options).finally(() => {
      this.building = null;
    });
    done.catch(() => undefined); // the caller's to handle
    return { name: this.name, version, done };
  }

  private async build(
    store: EventStore,
    version: number,
    model: M,
    runner: ProjectionRunner,
    options: RebuildOptions,
  ): Promise<RebuildOutcome> {
    const previous = this.version;
    const report = new RebuildReport(
      store,
      runner,
      { name: this.name, version, previousVersion: previous, resumedFrom: 0 },
      options.onProgress,
    );
    try {
      const trySwitch = () =>
        this.exclusive(async () => {
          if ((await model.checkpoint()) < (await this.current.checkpoint())) return false;
          this.current = model;
          this.version = version;
          return true;
        });
      if ((await catchUpAndSwitch(runner, trySwitch, report, options.signal)) === 'stopped')
        return report.outcome('stopped');
      options.log?.(`${this.name}: version ${version} is live; version ${previous} dropped`);
      return report.outcome('switched');
    } finally {
      report.stop();
      await runner.stop();
    }
  }

  private lockedTarget(model: () => M): ProjectionTarget {
    const targetOf = (m: M) => {
      let target = this.targets.get(m);
      if (!target) this.targets.set(m, (target = this.targetOf(m)));
      return target;
    };
    return {
      name: this.name,
      ...eventFiltersOfCurrent(() => targetOf(model())),
      checkpoint: () => model().checkpoint(),
      applyBatch: (events, range) =>
        this.exclusive(() => targetOf(model()).applyBatch(events, range)),
    };
  }

  /** Runs `work` after every batch and switch before it has settled. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.lock.then(work);
    this.lock = result.catch(() => undefined);
    return result;
  }
}
