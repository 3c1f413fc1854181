/**
 * The reader of our output went away (`rapport export --out - | head`, `rapport --help |
 * head -5`): there is no one left to tell anything, so the command stops quietly with
 * exit status 0, as `head` asked for no more. Node ignores SIGPIPE and reports a write to a
 * pipe without a reader as an EPIPE error instead, which would otherwise crash with a stack
 * trace (an 'error' event nobody listens to) or end as "EPIPE: broken pipe" and status 1.
 */

/** Exit status when the reader of stdout has gone: a reader that stops early is not a failure. */
export const OUTPUT_CLOSED_EXIT_CODE = 0;

/** Thrown by writers that write to stdout (or a pipe) themselves, with `writeSync`, when the reader has gone. */
export class OutputClosedError extends Error {
  constructor(readonly target: string) {
    super(`the reader of ${target === '-' ? 'stdout' : target} has gone`);
    this.name = 'OutputClosedError';
  }
}

/** A write to a pipe or socket whose reading end is closed. */
export function isBrokenPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

let installed = false;

/**
 * Set up once at start, before anything is written:
 * - stdout: EPIPE ends the process at once with status 0, streams and subscriptions with
 *   it (`tail --follow | grep -m1 …` ends when grep does). The commands that write to stdout
 *   either only read (export, tail, stats, help) or keep checkpoints made to survive being
 *   stopped at any point, as they survive kill -9 (migrate-log, rebuild): a rerun goes on;
 * - stderr (progress, notes, summaries): its reader going away does not end the work, which
 *   may still be writing its real output to stdout or a file; later diagnostics are dropped
 *   and the exit status still tells how the work went.
 * Any other error on either stream is not ours to swallow: it is thrown as before.
 */
export function exitQuietlyWhenOutputCloses(): void {
  if (installed) return;
  installed = true;
  process.stdout.on('error', (error: Error) => {
    if (isBrokenPipe(error)) process.exit(OUTPUT_CLOSED_EXIT_CODE);
    throw error;
  });
  process.stderr.on('error', (error: Error) => {
    if (isBrokenPipe(error)) return;
    throw error;
  });
}
