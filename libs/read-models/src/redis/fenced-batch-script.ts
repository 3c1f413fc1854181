import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { CheckpointMismatchError, type CheckpointRange } from '../projection/checkpoint';
import { type RedisFence } from './redis-lease';

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

/** A Lua script run by EVALSHA; its text is sent only when the server does not know it yet. */
export class RedisScript {
  readonly sha: string;

  constructor(readonly text: string) {
    this.sha = createHash('sha1').update(text).digest('hex');
  }

  /**
   * Keys and arguments go as one array: spreading a large batch into a call would overflow
   * the stack. A Buffer argument goes as its bytes (e.g. a batch packed by `packStrings`).
   */
  async run(
    redis: Redis,
    keys: readonly string[],
    args: readonly (string | number | Buffer)[],
    options: { inOrder?: boolean } = {},
  ): Promise<unknown> {
    const keysAndArgs: (string | Buffer)[] = [...keys];
    for (const arg of args) keysAndArgs.push(typeof arg === 'number' ? String(arg) : arg);
    // In order: the text every time (EVAL; Redis keeps the compiled script by its SHA), so
    // the script runs where the call put it among the client's commands — an EVALSHA refused
    // with NOSCRIPT would run later, after commands sent meanwhile.
    if (options.inOrder) return redis.eval(this.text, keys.length, keysAndArgs);
    try {
      return await redis.evalsha(this.sha, keys.length, keysAndArgs);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.text, keys.length, keysAndArgs);
    }
  }
}

/**
 * The checks a batch script makes before its first write: the writer still holds its
 * lease (when ARGV[3] carries a token, the last KEYS entry must hold it) and the model is
 * at the checkpoint the batch continues from (KEYS[1] = ARGV[1]). The body after it writes
 * the batch and finally moves the checkpoint to ARGV[2].
 */
const CHECKS = `
local token = ARGV[3]
if token ~= '' then
  local holder = redis.call('GET', KEYS[#KEYS])
  if holder ~= token then return {'fenced', holder or ''} end
end
local current = redis.call('GET', KEYS[1]) or '0'
if tonumber(current) ~= tonumber(ARGV[1]) then return {'checkpoint', current} end
`;

/**
 * One read model's batch write as a Lua script, atomic with its checkpoint and fenced by
 * the writer's lease: the script is the shared checks followed by the model's own body.
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
    redis: Redis,
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
  }
}
