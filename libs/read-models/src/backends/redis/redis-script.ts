import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RedisConnection } from './redis-connection';

/**
 * The text of a Lua script kept beside the code that runs it: `readLua(__dirname, 'x.lua')`
 * at module load. Nothing compiles `.lua` files, so they are read from the source tree.
 */
export function readLua(directory: string, file: string): string {
  return readFileSync(join(directory, file), 'utf8');
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
    redis: RedisConnection,
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
