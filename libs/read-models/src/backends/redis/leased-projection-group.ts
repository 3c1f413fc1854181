import { type EventStore } from '@rapport/event-store';
import { type RedisConnection } from './redis-connection';
import {
  LeasedProjection,
  type LeasedProjectionOptions,
  type LeasedProjectionTarget,
} from './leased-projection';

/** Something that follows the log under a lease: started once, stopped with the rest. */
interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The leased projections one process runs on one Redis and key prefix: each started under
 * its own lease (`<prefix>lease:<name>`), all stopped together when the read models close.
 */
export class LeasedProjectionGroup {
  private readonly members: Startable[] = [];

  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  /** Starts a projection under its own lease; resolves at once (a standby is healthy too). */
  start(
    store: EventStore,
    log: (line: string) => void,
    target: LeasedProjectionTarget,
    options: Omit<LeasedProjectionOptions, 'prefix' | 'log'> = {},
  ): Promise<LeasedProjection> {
    return this.add(
      new LeasedProjection(store, this.redis, { ...options, prefix: this.prefix, log }, target),
    );
  }

  /** Starts a projection built elsewhere (a subclass of `LeasedProjection`) as one of the group. */
  async add<P extends Startable>(projection: P): Promise<P> {
    this.members.push(projection);
    await projection.start();
    return projection;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.members.map((p) => p.stop()));
  }
}
