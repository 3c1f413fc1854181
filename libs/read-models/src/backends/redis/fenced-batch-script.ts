import { type RedisConnection } from './redis-connection';
import { CheckpointMismatchError, type CheckpointRange } from '../../projection/checkpoint';
import { type RedisFence } from './redis-lease';
import { readLua, RedisScript } from './redis-script';

const CHECKS = readLua(__dirname, 'fenced-batch-checks.lua');

/**
 * A writer's lease was taken over (or expired) before it wrote. Nothing was written; the
 * writer must stop, not resume — another projector owns the projection now.
 */
export class FencedOutError extends Error {
  override readonly name = 'FencedOutError';
  constructor(
    readonly projection: string,
    readonly fence: RedisFence,
    /** The token the fence key holds now (it names the new owner), or null. */
    readonly holder: string | null,
  ) {
    super(
      `projection ${projection}: the lease ${fence.key} is no longer held by this writer (held by ${holder ?? 'nobody'}); nothing was written`,
    );
  }
}

/**
 * One read model's batch write as a Lua script, atomic with its checkpoint and fenced by
 * the writer's lease: the script is the shared checks (`fenced-batch-checks.lua`) followed
 * by the model's own body.
 * KEYS: the checkpoint key first, the model's keys; ARGV: after, upTo, fence token, then
 * the model's own. The fence key is appended to KEYS here.
 */
export class FencedBatchScript {
  private readonly script: RedisScript;

  constructor(
    private readonly projection: string,
    body: string,
  ) {
    this.script = new RedisScript(CHECKS + body);
  }

  /** The first three arguments every batch script takes. */
  static leadingArgs(range: CheckpointRange, fence: RedisFence | undefined): string[] {
    return [String(range.after), String(range.upTo), fence?.token ?? ''];
  }

  /**
   * Runs the batch; throws `FencedOutError` or `CheckpointMismatchError` when it wrote
   * nothing. The command is issued before this returns; `inOrder` keeps it where it was
   * issued even on a server that lost its scripts (see `RedisScript.run`).
   */
  async apply(
    redis: RedisConnection,
    keys: string[],
    args: readonly (string | number | Buffer)[],
    range: CheckpointRange,
    fence: RedisFence | undefined,
    options: { inOrder?: boolean } = {},
  ): Promise<void> {
    if (fence) keys.push(fence.key);
    const [outcome, detail] = (await this.script.run(redis, keys, args, options)) as [
      string,
      string?,
    ];
    if (outcome === 'fenced')
      throw new FencedOutError(this.projection, fence as RedisFence, detail || null);
    if (outcome === 'checkpoint')
      throw new CheckpointMismatchError(this.projection, range.after, Number(detail));
    if (outcome !== 'ok')
      throw new Error(
        `projection ${this.projection}: the batch script refused it (${outcome} ${detail ?? ''}); nothing was written`,
      );
  }
}
