import { type LoggerService } from '@nestjs/common';

/** How long a service may take to shut down after SIGTERM/SIGINT by default. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * Bounds a graceful shutdown: Nest's shutdown hooks stop the service on SIGTERM (the
 * ingestor's consumer finishes and commits its batch, a projector finishes its batch and
 * releases its leases); if that takes longer than `RAPPORT_SHUTDOWN_TIMEOUT_MS` (10 s by
 * default, below Kubernetes' 30 s grace period), the process exits with status 1 anyway.
 */
export function armShutdownDeadline(
  logger: LoggerService,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const timeoutMs = Number(env.RAPPORT_SHUTDOWN_TIMEOUT_MS ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new Error(
      `RAPPORT_SHUTDOWN_TIMEOUT_MS must be a positive number of milliseconds (it is ${env.RAPPORT_SHUTDOWN_TIMEOUT_MS})`,
    );
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal}: shutting down (at most ${timeoutMs} ms)`);
      setTimeout(() => {
        logger.error(`shutdown took longer than ${timeoutMs} ms; exiting`);
        process.exit(1);
      }, timeoutMs).unref();
    });
  }
}
