import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { isBrokenPipe, OutputClosedError } from '../support/closed-output';

/**
 * Where an export writes: a regular file (written as `<file>.partial` with mode 0600,
 * renamed when complete, so a file under the final name is always whole), stdout (`-`), or anything
 * else that exists and is not a regular file (a FIFO, /dev/null), written in place. Synchronous writes: an export
 * is one sequential stream and the progress bar needs no event loop of its own.
 */
export class ExportOutput {
  private readonly fd: number;
  private readonly partial: string | null;
  private special = false;

  constructor(readonly target: string) {
    if (target === '-') {
      this.fd = 1;
      this.partial = null;
    } else if (isSpecialFile(target)) {
      this.fd = openSync(target, 'w');
      this.partial = null;
      this.special = true;
    } else {
      this.partial = `${target}.partial`;
      // Owner only: an export holds people's messages. A stale `.partial` is replaced.
      rmSync(this.partial, { force: true });
      this.fd = openSync(this.partial, 'wx', 0o600);
    }
  }

  get toStdout(): boolean {
    return this.partial === null && !this.special;
  }

  write(bytes: Uint8Array | string): void {
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    let offset = 0;
    while (offset < buffer.length) {
      try {
        offset += writeSync(this.fd, buffer, offset, buffer.length - offset);
      } catch (error) {
        // The reader has gone (`--out - | head`): the export stops here, and quietly.
        if (isBrokenPipe(error)) throw new OutputClosedError(this.target);
        // A non-blocking pipe that is full: wait for the reader.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
  }

  /** Makes the output durable and gives it its final name. */
  complete(): void {
    if (this.special) closeSync(this.fd);
    if (this.partial === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.partial, this.target);
  }

  /** Closes without completing, and removes the `.partial` file: no copy of half an export stays. */
  abandon(): void {
    if (this.fd !== 1) closeSync(this.fd);
    if (this.partial !== null) rmSync(this.partial, { force: true });
  }
}

function isSpecialFile(path: string): boolean {
  try {
    return !statSync(path).isFile();
  } catch {
    return false;
  }
}
