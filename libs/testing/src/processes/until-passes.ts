import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `check` (which throws, e.g. a failed `expect`) until it passes, or rethrows its last
 * failure once `timeoutMs` is over: for what follows the log asynchronously (projections,
 * identity resolution).
 */
export async function untilPasses(check: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(25);
    }
  }
}
