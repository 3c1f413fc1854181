import { type EventStore } from '@rapport/event-store';
import { type RedisConnection } from './redis-connection';
import {
  ProjectionRunner,
  type ProjectionStatus,
  type ProjectionTarget,
} from '../../projection/projection-runner';
import { type RunningProjection } from '../../projection/running-projection';
import { leaseKey } from './redis-keys';
import { type RedisFence, RedisLease } from './redis-lease';

export interface LeasedProjectionOptions {
  readonly prefix: string;
  /** How long a dead holder keeps the lease before a standby takes over. */
  readonly leaseTtlMs?: number;
  /** How often an idle projector checks that Redis still holds its model. */
  readonly verifyIntervalMs?: number;
  readonly batchSize?: number;
  readonly log: (line: string) => void;
}

export type ProjectorRole = 'standby' | 'active';

/** What a leased projection writes through: a target whose writes are fenced by the lease. */
export interface LeasedProjectionTarget {
  readonly name: string;
  target(fence: RedisFence): ProjectionTarget;
}

/**
 * A projection into Redis, written by one projector at a time. A projector
 * holds a lease in Redis and writes through a read model fenced by the lease's token, so
 * a projector that stalls and loses its lease cannot write afterwards. When the lease is
 * lost, Redis comes back empty (the fence key is gone too), or a write fails, the
 * projector lets go, waits for the lease again and resumes from the checkpoint in Redis —
 * from 0, a full rebuild from the log, when Redis lost everything.
 */
export class LeasedProjection implements RunningProjection {
  private runner: ProjectionRunner | null = null;
  private lease: RedisLease | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private role: ProjectorRole = 'standby';
  private takeovers = 0;
  private last: ProjectionStatus;

  constructor(
    private readonly store: EventStore,
    private readonly redis: RedisConnection,
    private readonly options: LeasedProjectionOptions,
    private readonly projection: LeasedProjectionTarget,
  ) {
    this.last = { name: projection.name, position: 0, caughtUp: false, resumes: 0 };
  }

  /** Starts competing for the lease; resolves at once (a standby is a healthy projector too). */
  async start(): Promise<void> {
    this.loop ??= this.run();
  }

  status(): ProjectionStatus & { role: ProjectorRole; takeovers: number } {
    const current = this.runner?.status() ?? this.last;
    return { ...current, role: this.role, takeovers: this.takeovers };
  }

  async waitFor(position: number, timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.status().position < position) {
      if (Date.now() > deadline)
        throw new Error(
          `projection ${this.projection.name} did not reach position ${position} within ${timeoutMs} ms`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.lease?.stop();
    await this.runner?.stop();
    await this.loop;
    await this.lease?.release().catch(() => undefined);
  }

  private async run(): Promise<void> {
    const { prefix, log } = this.options;
    while (!this.stopped) {
      const lease = new RedisLease(this.redis, {
        key: leaseKey(prefix, this.projection.name),
        ttlMs: this.options.leaseTtlMs ?? 5000,
      });
      this.lease = lease;
      let onLost!: () => void;
      const lost = new Promise<void>((resolve) => (onLost = resolve));
      try {
        await lease.hold({ onLost: () => onLost() });
      } catch {
        continue; // stopped while waiting
      }
      if (this.stopped) break;
      this.role = 'active';
      this.takeovers += 1;
      log(`holding the ${this.projection.name} lease (${lease.token}); projecting into ${prefix}`);
      const runner = new ProjectionRunner(this.store, this.projection.target(lease.fence()), {
        log,
        verifyIntervalMs: this.options.verifyIntervalMs ?? 1000,
        batchSize: this.options.batchSize ?? 1000,
      });
      this.runner = runner;
      try {
        await runner.start();
        await Promise.race([
          lost.then(() => log(`lost the ${this.projection.name} lease; standing by`)),
          runner.finished,
        ]);
      } catch (error) {
        log(
          `${this.projection.name} projection stopped: ${error instanceof Error ? error.message : String(error)}; starting over`,
        );
      }
      this.last = runner.status();
      await runner.stop();
      this.runner = null;
      this.role = 'standby';
      await lease.release().catch(() => undefined);
      if (!this.stopped) await new Promise((r) => setTimeout(r, 250));
    }
  }
}
