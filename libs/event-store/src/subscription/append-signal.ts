import { EventEmitter } from 'node:events';

/**
 * Wakes subscribers when the log may have grown: at once for appends made through this
 * process, and by a poll for appends made by other processes (or, in an adapter that
 * supports it, by a database notification that calls `notify()`).
 */
export class AppendSignal {
  private readonly emitter = new EventEmitter();

  constructor(private readonly pollIntervalMs: number) {
    this.emitter.setMaxListeners(0);
  }

  notify(): void {
    this.emitter.emit('append');
  }

  /** Resolves on the next notification, after the poll interval, or when `signal` aborts. */
  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.emitter.off('append', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      this.emitter.once('append', done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
