/**
 * Ctrl-C (SIGINT) and SIGTERM as a request to stop after the work in hand: the command
 * finishes its batch, saves where it is, and exits 130. A second Ctrl-C exits at once
 * (the saved checkpoint still lets the next run resume).
 */
export class StopSignal {
  private requested = false;
  private readonly handler = () => {
    if (this.requested) process.exit(130);
    this.requested = true;
    process.stderr.write('\nstopping after the current batch (Ctrl-C again to abort at once)…\n');
  };

  constructor() {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  get stopRequested(): boolean {
    return this.requested;
  }

  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}
